package io.anvil.conductor;

import io.anvil.metrics.AnvilMetrics;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded slots for asynchronous conductor work (Ironic's workers_pool_size, default 300, with
 * reserved_workers_pool_percentage, default 5, kept for API requests). Work here is non-blocking, so a slot is
 * a unit of admitted concurrency, not a thread. Heartbeats and periodic tasks may not use the reserved share,
 * so the API stays usable when they saturate the pool. Thread-safe; callers on any event loop.
 */
public final class WorkerPool {
    private final int normal;
    private final int reserved;
    private final AtomicInteger inNormal = new AtomicInteger();
    private final AtomicInteger inReserved = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();

    public WorkerPool(int size, int reservedPercentage) {
        if (size < 1 || reservedPercentage < 0 || reservedPercentage >= 100) {
            throw new IllegalArgumentException("workers_pool_size must be >= 1 and the reserved percentage 0..99");
        }
        this.reserved = size * reservedPercentage / 100;
        this.normal = size - reserved;
    }

    /** One admitted piece of work; release exactly once (idempotent). */
    public final class Slot {
        private final AtomicInteger counter;
        private final java.util.concurrent.atomic.AtomicBoolean released =
                new java.util.concurrent.atomic.AtomicBoolean();

        private Slot(AtomicInteger counter) {
            this.counter = counter;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        }

        public boolean reserved() {
            return counter == inReserved;
        }
    }

    /** A slot from the normal share, else (when allowed) from the reserved share, else empty. */
    public Optional<Slot> tryAcquire(boolean allowReserved) {
        if (take(inNormal, normal)) {
            return Optional.of(new Slot(inNormal));
        }
        if (allowReserved && take(inReserved, reserved)) {
            return Optional.of(new Slot(inReserved));
        }
        refused.increment();
        return Optional.empty();
    }

    private static boolean take(AtomicInteger counter, int max) {
        while (true) {
            int n = counter.get();
            if (n >= max) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Binds the pool's figures as series read when scraped (docs/operations.md#worker-pool). */
    public void bindTo(AnvilMetrics m) {
        m.gauge("anvil.workers.busy", "Conductor worker slots in use", inNormal, AtomicInteger::get, "share", "normal");
        m.gauge(
                "anvil.workers.busy",
                "Conductor worker slots in use",
                inReserved,
                AtomicInteger::get,
                "share",
                "reserved");
        m.gauge("anvil.workers.size", "Conductor worker slots", this, p -> p.normal, "share", "normal");
        m.gauge("anvil.workers.size", "Conductor worker slots", this, p -> p.reserved, "share", "reserved");
        m.counter(
                "anvil.workers.refused",
                "Work refused because no worker slot was free (the caller got 503 or retries later)",
                refused,
                java.util.concurrent.atomic.LongAdder::sum);
    }

    public int busy() {
        return inNormal.get() + inReserved.get();
    }

    public int normalSize() {
        return normal;
    }

    public int reservedSize() {
        return reserved;
    }
}
