package io.anvil.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition in a test: re-checked on the calling thread, with the pauses between checks taken on a
 * Vert.x timer (tests never sleep), failing with {@code what} after {@code timeout}.
 */
public final class Conditions {
    private Conditions() {}

    /**
     * The result of {@code f} once it completed (its failure thrown), however long that takes. A future that never
     * completes is a hang, which the suite's default timeout ends (src/test/resources/junit-platform.properties): it
     * interrupts the wait, and every thread's stack goes to stderr first.
     */
    public static <T> T completed(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            dumpThreads("interrupted waiting for a future (the test's timeout?)");
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** Re-checks {@code condition} every {@code every} until it holds, however long that takes (see {@link #completed}). */
    public static void eventually(Vertx timers, String what, Duration every, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            try {
                completed(Future.<Void>future(p -> timers.setTimer(Math.max(1, every.toMillis()), id -> p.complete())));
            } catch (AssertionError e) {
                throw new AssertionError("stopped waiting for: " + what, e);
            }
        }
    }

    /**
     * The result of {@code f}, waited for on the calling thread. On a timeout every thread's stack goes to stderr
     * before the test fails: a hang on a busy CI machine is then explained by the log instead of guessed at.
     */
    public static <T> T result(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            dumpThreads("timed out after " + timeout.toMillis() + " ms waiting for a future");
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** Prints every live thread's stack to stderr under {@code why}. */
    public static void dumpThreads(String why) {
        StringBuilder b = new StringBuilder("---- thread dump: ").append(why).append('\n');
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append(t.toString().replace("\n\t...\n", "\n"));
            StackTraceElement[] st = t.getStackTrace();
            // ThreadInfo.toString shows 8 frames: the rest matters for a hang
            for (int i = 8; i < st.length; i++) {
                b.append("\tat ").append(st[i]).append('\n');
            }
        }
        System.err.println(b.append("---- end of thread dump"));
    }

    public static void await(Vertx timers, String what, Duration timeout, Duration every, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            Future<Void> tick = Future.future(p -> timers.setTimer(Math.max(1, every.toMillis()), id -> p.complete()));
            try {
                tick.toCompletionStage().toCompletableFuture().get(every.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("the timer stopped while waiting for: " + what, e);
            }
        }
    }
}
