package io.anvil.conductor;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockMode;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The lease of a {@link TaskOptions#lockFree} task: nothing is held in the lock service, so nothing is renewed, nothing
 * can be lost and the release asks nobody. It reads as shared, so the task cannot write the node and
 * {@link Task#upgradeLock} takes the exclusive lock as it does from a shared one.
 */
final class NoLockLease implements LockLease {
    private static final Future<Boolean> RELEASED = Future.succeededFuture(true);
    private final String nodeUuid;
    private final String purpose;
    private final Promise<Void> released = Promise.promise();

    NoLockLease(String nodeUuid, String purpose) {
        this.nodeUuid = nodeUuid;
        this.purpose = purpose;
    }

    @Override
    public String nodeUuid() {
        return nodeUuid;
    }

    @Override
    public LockMode mode() {
        return LockMode.SHARED;
    }

    /** No grant, so no token: 0 is below every token an exclusive grant gets. */
    @Override
    public long fence() {
        return 0;
    }

    @Override
    public String owner() {
        return "";
    }

    @Override
    public String purpose() {
        return purpose;
    }

    @Override
    public Future<Void> lost() {
        return released.future();
    }

    @Override
    public boolean isValid() {
        return !released.future().isComplete();
    }

    @Override
    public Future<Boolean> release() {
        released.tryComplete();
        return RELEASED;
    }
}
