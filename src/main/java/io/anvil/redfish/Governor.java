package io.anvil.redfish;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * "One BMC, one governor" (docs/architecture.md#invariants, invariant 6) for Redfish: every request to one BMC, whoever
 * asks (API action, power sync sweep, task monitor poll), waits in that BMC's FIFO queue; at most {@code maxInFlight}
 * run at once. A request's retries and back-off keep its slot, so a failing BMC is not hammered by the queue behind.
 * The critical sections are a few field updates; work starts outside the lock.
 */
final class Governor {
    private final int maxInFlight;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int inFlight;
    private int maxObserved;

    Governor(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    <T> Future<T> submit(Supplier<Future<T>> work) {
        Promise<T> promise = Promise.promise();
        Runnable job = () -> {
            Future<T> f;
            try {
                f = work.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                finished();
                promise.handle(ar);
            });
        };
        boolean startNow;
        synchronized (this) {
            startNow = inFlight < maxInFlight;
            if (startNow) {
                inFlight++;
                maxObserved = Math.max(maxObserved, inFlight);
            } else {
                queue.add(job);
            }
        }
        if (startNow) {
            job.run();
        }
        return promise.future();
    }

    private void finished() {
        Runnable next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    synchronized int queued() {
        return queue.size();
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /** The highest number of requests seen in flight at once (tests check the cap with it). */
    synchronized int maxObserved() {
        return maxObserved;
    }
}
