package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocks the JUnit thread (never an event loop) on a Vert.x future, bounded. */
final class Await {

    private Await() {}

    static <T> T result(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    static <E extends Throwable> E failure(Future<?> f, Class<E> type) {
        try {
            Object value = f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            fail("expected " + type.getSimpleName() + ", got " + value);
            return null;
        } catch (ExecutionException e) {
            return assertInstanceOf(
                    type, e.getCause(), () -> "expected " + type.getSimpleName() + " but got " + e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }
}
