package io.anvil.lock;

import java.time.Duration;

/**
 * A try-once or bounded acquire did not get the node (Ironic's NodeLocked, HTTP 409). Carries who holds it, for what,
 * since when, and where the caller stood in the queue. Thrown often by periodic tasks, so it has no stack trace.
 */
public final class NodeLockedException extends RuntimeException {
    private final String nodeUuid;
    private final LockMode holderMode;
    private final String holderOwner;
    private final String holderPurpose;
    private final Duration heldFor;
    private final int queuePosition;
    private final int queueLength;

    /**
     * @param holderMode    null when nobody holds the node but it is reserved for waiters queued ahead
     * @param queuePosition 0-based rank the caller had when it gave up; for try-once, the number of queued waiters
     */
    public NodeLockedException(
            String nodeUuid,
            LockMode holderMode,
            String holderOwner,
            String holderPurpose,
            Duration heldFor,
            int queuePosition,
            int queueLength) {
        super(
                message(nodeUuid, holderMode, holderOwner, holderPurpose, heldFor, queuePosition, queueLength),
                null,
                false,
                false);
        this.nodeUuid = nodeUuid;
        this.holderMode = holderMode;
        this.holderOwner = holderOwner;
        this.holderPurpose = holderPurpose;
        this.heldFor = heldFor;
        this.queuePosition = queuePosition;
        this.queueLength = queueLength;
    }

    private NodeLockedException(String nodeUuid, String message, String holderOwner, String holderPurpose) {
        super(message, null, false, false);
        this.nodeUuid = nodeUuid;
        this.holderMode = null;
        this.holderOwner = holderOwner;
        this.holderPurpose = holderPurpose;
        this.heldFor = Duration.ZERO;
        this.queuePosition = 0;
        this.queueLength = 0;
    }

    /**
     * The node's row names a holder ({@code reservation}): a task that reads without the lock found it busy. Ironic's
     * wording ({@code ironic/common/exception.py: NodeLocked}).
     */
    public static NodeLockedException reserved(String nodeUuid, String host) {
        return new NodeLockedException(
                nodeUuid,
                "Node " + nodeUuid + " is locked by host " + host
                        + ", please retry after the current operation is completed.",
                host,
                "reserved");
    }

    /** Nobody holds the node, but its slot grants nothing until every lease from before a Redis data loss is over. */
    public static NodeLockedException quarantined(String nodeUuid, Duration left) {
        return new NodeLockedException(
                nodeUuid,
                "Node " + nodeUuid + " cannot be locked for another " + left.toMillis()
                        + " ms: Redis lost the lock service's data or failed over, and no lock is granted until every lease"
                        + " granted before has expired; please retry.",
                "",
                "quarantine");
    }

    private static String message(
            String node, LockMode mode, String owner, String purpose, Duration age, int pos, int len) {
        String who = mode == null
                ? "is reserved for " + len + " queued waiter(s)"
                : "is locked (" + mode.name().toLowerCase() + ") by " + owner + " for '" + purpose + "' since "
                        + age.toMillis() + " ms";
        return "Node " + node + " " + who + "; queue position " + pos + " of " + len
                + ", please retry after the current operation is completed.";
    }

    public String nodeUuid() {
        return nodeUuid;
    }

    /** Null when the node is free but reserved for the waiters ahead. */
    public LockMode holderMode() {
        return holderMode;
    }

    public String holderOwner() {
        return holderOwner;
    }

    public String holderPurpose() {
        return holderPurpose;
    }

    public Duration heldFor() {
        return heldFor;
    }

    public int queuePosition() {
        return queuePosition;
    }

    public int queueLength() {
        return queueLength;
    }
}
