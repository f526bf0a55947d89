package io.anvil.testsupport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Starts asynchronous work from a test thread on one fixed Vert.x context.
 *
 * <p>Why: Vert.x 5.0's HTTP client, called from a thread that is not Vert.x's (the JUnit thread), makes a new context
 * for every request; a request issued right after the previous response completed races the recycling of that
 * response's pooled connection and, now and then, is never written at all — the test then hangs until its timeout
 * (a few hangs in ten thousand sequential requests under load; none when issued from one context). Issuing every
 * request from the same context orders it after the recycling. Anvil itself calls its clients from its own contexts.
 */
public final class OnContext {
    private final Context context;

    private OnContext(Context context) {
        this.context = context;
    }

    /** A fresh event-loop context of {@code vertx} for a test's requests. */
    public static OnContext of(Vertx vertx) {
        return new OnContext(vertx.getOrCreateContext());
    }

    /** Runs {@code work} on this context; its outcome completes the returned future. */
    public <T> Future<T> call(Supplier<Future<T>> work) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> {
            Future<T> f;
            try {
                f = work.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(done);
        });
        return done.future();
    }
}
