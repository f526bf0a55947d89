package io.anvil.periodic;

import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * At most {@code permits} pieces of asynchronous work at once; the rest wait in arrival order. Non-blocking and
 * thread-safe: a waiter is started by whoever frees a permit. The power sync uses it as the conductor-wide cap on
 * concurrent checks; each check of an ipmi node then also queues in its BMC's governor (docs/periodics.md).
 */
public final class AsyncLimiter {
    private final int permits;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;
    private int maxObserved;

    public AsyncLimiter(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1");
        }
        this.permits = permits;
    }

    /** Runs {@code work} when a permit is free; the permit is returned when its future completes. */
    public <T> Future<T> run(Supplier<Future<T>> work) {
        Promise<T> result = Promise.promise();
        Runnable start = () -> {
            Future<T> f = Futures.attempt(work);
            f.onComplete(ar -> {
                release();
                result.handle(ar);
            });
        };
        boolean now;
        synchronized (this) {
            now = inFlight < permits;
            if (now) {
                inFlight++;
                maxObserved = Math.max(maxObserved, inFlight);
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return result.future();
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    /** Pieces of work waiting for a permit now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** The highest number of pieces of work that ran at once. */
    public synchronized int maxObserved() {
        return maxObserved;
    }

    public int permits() {
        return permits;
    }
}
