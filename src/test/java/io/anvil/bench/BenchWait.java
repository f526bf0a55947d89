package io.anvil.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How the benches wait, without {@code Thread.sleep}: a pause is a timer's completion awaited, and "until it stands
 * still" re-reads a counter on that timer. One daemon timer thread serves every bench.
 */
final class BenchWait {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-timer");
        t.setDaemon(true);
        return t;
    });

    private BenchWait() {}

    /** Returns after {@code millis} (a timer fires; nothing polls meanwhile). */
    static void pause(long millis) throws InterruptedException {
        CompletableFuture<Void> fired = new CompletableFuture<>();
        TIMER.schedule(() -> fired.complete(null), Math.max(0, millis), TimeUnit.MILLISECONDS);
        try {
            fired.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Returns once {@code counter} reads the same twice, {@code everyMillis} apart. */
    static void untilSteady(LongSupplier counter, long everyMillis) throws InterruptedException {
        long seen = -1;
        while (seen != counter.getAsLong()) {
            seen = counter.getAsLong();
            pause(everyMillis);
        }
    }
}
