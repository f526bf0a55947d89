package io.anvil.lock;

import io.vertx.core.Future;

/** One grant of a node lock. Renewed by a watchdog until released or lost. */
public interface LockLease {
    String nodeUuid();

    LockMode mode();

    /**
     * Fencing token. Exclusive grants get a strictly increasing value per node, also across a Redis restart without
     * persistence; shared grants get the current value without incrementing it. Condition every PostgreSQL write on it.
     */
    long fence();

    /** {@code <clientId>/<localId>}, unique per grant. */
    String owner();

    String purpose();

    /**
     * Fails with {@link LeaseLostException} as soon as the lease is lost (renewal refused, or the local deadline passed
     * without a renewal — that deadline fires before Redis could grant the node to anyone else): abort the work.
     * Succeeds when the lease is released normally.
     */
    Future<Void> lost();

    /** True while the local deadline has not passed and the lease was neither lost nor released. */
    boolean isValid();

    /**
     * Releases the lease and stops its watchdog. Idempotent: every call returns the same future. {@code true} if this
     * grant still held the node; {@code false} if it had already been lost (expired, re-granted or deleted).
     */
    Future<Boolean> release();
}
