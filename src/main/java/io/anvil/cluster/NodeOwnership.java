package io.anvil.cluster;

/**
 * Which conductor is responsible for a node: every conductor must agree (a consistent hash ring over the live
 * conductors of the node's group). Periodic tasks visit only nodes this conductor owns.
 */
public interface NodeOwnership {
    /** True when this conductor owns the node. */
    boolean ownedHere(String nodeUuid, String driver, String conductorGroup);

    /** A single conductor owning everything (one-conductor deployments and tests). */
    static NodeOwnership everything() {
        return (uuid, driver, group) -> true;
    }
}
