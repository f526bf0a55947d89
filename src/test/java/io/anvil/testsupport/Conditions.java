package io.anvil.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
