package io.anvil.lock;

import java.time.Duration;

/**
 * Tuning of the lock service; {@link #defaults()} are described in docs/locks.md#settings.
 *
 * @param lease          lease granted to a holder; a crashed holder blocks the node at most this long
 * @param renewEvery     watchdog period; at least two renewals fit into one lease
 * @param safetyMargin   the holder's local deadline is (send time of the last successful acquire/renew) + lease
 *                       - margin, so the lease-lost signal fires before Redis could hand the node to someone else
 * @param waiterTtl      a waiter that has not heart-beaten for this long is pruned (a crashed waiter's slot)
 * @param repoll         waiters re-poll (and heartbeat) at least this often; the fallback when a wake-up is lost
 * @param commandTimeout a Redis call that takes longer fails locally (it may still run: every script is idempotent)
 * @param pruneLimit     dead waiters removed per script call (keeps every call well under 1 ms)
 * @param wakeLimit      waiters woken per script call
 * @param maxInFlight    pipelined requests allowed on the lock connection
 */
public record LockOptions(
        Duration lease,
        Duration renewEvery,
        Duration safetyMargin,
        Duration waiterTtl,
        Duration repoll,
        Duration commandTimeout,
        int pruneLimit,
        int wakeLimit,
        int maxInFlight) {

    public LockOptions {
        if (renewEvery.compareTo(lease.minus(safetyMargin)) >= 0) {
            throw new IllegalArgumentException("renewEvery must be shorter than lease - safetyMargin");
        }
        if (safetyMargin.isNegative() || safetyMargin.isZero() || safetyMargin.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("safetyMargin must be positive and shorter than the lease");
        }
        if (repoll.compareTo(waiterTtl) >= 0) {
            throw new IllegalArgumentException("repoll must be shorter than waiterTtl, or live waiters get pruned");
        }
        if (pruneLimit < 1 || wakeLimit < 1 || maxInFlight < 16) {
            throw new IllegalArgumentException("pruneLimit, wakeLimit must be >= 1 and maxInFlight >= 16");
        }
    }

    public static LockOptions defaults() {
        return new LockOptions(
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                Duration.ofSeconds(6),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                64,
                256,
                16384);
    }

    /** Lease, renewal period and safety margin together (they constrain each other). */
    public LockOptions withLease(Duration lease, Duration renewEvery, Duration safetyMargin) {
        return new LockOptions(
                lease, renewEvery, safetyMargin, waiterTtl, repoll, commandTimeout, pruneLimit, wakeLimit, maxInFlight);
    }

    /** Waiter liveness TTL and re-poll period together. */
    public LockOptions withWaiterTtl(Duration waiterTtl, Duration repoll) {
        return new LockOptions(
                lease, renewEvery, safetyMargin, waiterTtl, repoll, commandTimeout, pruneLimit, wakeLimit, maxInFlight);
    }

    public LockOptions withCommandTimeout(Duration commandTimeout) {
        return new LockOptions(
                lease, renewEvery, safetyMargin, waiterTtl, repoll, commandTimeout, pruneLimit, wakeLimit, maxInFlight);
    }
}
