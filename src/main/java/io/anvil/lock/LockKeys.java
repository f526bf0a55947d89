package io.anvil.lock;

import java.util.List;

/**
 * Key names of one node's lock. The hash tag {uuid} keeps every key of a node in one Cluster slot; the slot's
 * quarantine marker and window are named with a tag of the same slot ({@link LockSlots}).
 */
final class LockKeys {
    static final String CHANNEL_PREFIX = "lk:ev:";

    private LockKeys() {}

    /** In the order the scripts expect: x, s, q, qx, qe, n, m, then the slot's boot marker and quarantine. */
    static List<String> of(String nodeUuid) {
        String base = "lk:{" + nodeUuid + "}:";
        int slot = LockSlots.slot(base);
        return List.of(
                base + "x",
                base + "s",
                base + "q",
                base + "qx",
                base + "qe",
                base + "n",
                base + "m",
                boot(slot),
                quarantine(slot));
    }

    /** The keys the boot script takes for one slot: seven unused names of the slot, then its marker and quarantine. */
    static List<String> slotKeys(int slot) {
        String unused = "lk:{" + LockSlots.tag(slot) + "}:-";
        return List.of(unused, unused, unused, unused, unused, unused, unused, boot(slot), quarantine(slot));
    }

    /** A slot's incarnation marker (no TTL): missing means Redis lost the slot's data, or never had it. */
    static String boot(int slot) {
        return "lk:{" + LockSlots.tag(slot) + "}:boot";
    }

    /** A slot's quarantine window (PX = the lease): no grant in the slot while it exists. */
    static String quarantine(int slot) {
        return "lk:{" + LockSlots.tag(slot) + "}:quarantine";
    }

    static String counter(String nodeUuid) {
        return "lk:{" + nodeUuid + "}:n";
    }

    static String holder(String nodeUuid) {
        return "lk:{" + nodeUuid + "}:x";
    }

    /** The wake-up channel of one client process (scripts derive it from the waiter id). */
    static String channel(String clientId) {
        return CHANNEL_PREFIX + clientId;
    }
}
