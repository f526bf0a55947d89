package io.anvil.lock;

/** The holder's lease is gone: whatever it was doing under the lock must stop. */
public final class LeaseLostException extends RuntimeException {
    private final String nodeUuid;
    private final long fence;

    public LeaseLostException(String nodeUuid, long fence, String reason) {
        super("lock lease on node " + nodeUuid + " (fence " + fence + ") lost: " + reason);
        this.nodeUuid = nodeUuid;
        this.fence = fence;
    }

    public String nodeUuid() {
        return nodeUuid;
    }

    public long fence() {
        return fence;
    }
}
