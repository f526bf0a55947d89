package io.anvil.util;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** Small helpers for Vert.x futures. */
public final class Futures {
    private Futures() {}

    /**
     * Calls {@code call} and returns its future; a {@link RuntimeException} it throws becomes a failed future. Code that
     * chains work written by others (drivers, visitors, queued jobs) uses this so a throw cannot escape the chain and
     * leave a lock, a permit or a caller's future behind.
     */
    public static <T> Future<T> attempt(Supplier<Future<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
