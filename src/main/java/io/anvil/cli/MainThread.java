package io.anvil.cli;

import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waiting for a Future from a command's main (or shutdown-hook) thread — never from a Vert.x thread, where
 * blocking is forbidden. The commands are the only place Anvil waits like this.
 */
final class MainThread {
    private MainThread() {}

    static <T> T waitFor(Future<T> future, long seconds) throws Exception {
        if (io.vertx.core.Context.isOnVertxThread()) {
            throw new IllegalStateException("MainThread.waitFor called on a Vert.x thread");
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<T> result = new AtomicReference<>();
        future.onComplete(ar -> {
            if (ar.failed()) {
                failure.set(ar.cause());
            } else {
                result.set(ar.result());
            }
            done.countDown();
        });
        if (!done.await(seconds, TimeUnit.SECONDS)) {
            throw new TimeoutException("no answer within " + seconds + " s");
        }
        if (failure.get() != null) {
            throw failure.get() instanceof Exception e ? e : new RuntimeException(failure.get());
        }
        return result.get();
    }
}
