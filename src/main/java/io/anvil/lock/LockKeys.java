package io.anvil.lock;

import java.util.List;

/** Key names of one node's lock. The hash tag {uuid} keeps every key of a node in one Cluster slot. */
final class LockKeys {
  static final String CHANNEL_PREFIX = "lk:ev:";

  private LockKeys() {
  }

  /** In the order the scripts expect: x, s, q, qx, qe, n, m (see lock_common.lua). */
  static List<String> of(String nodeUuid) {
    String base = "lk:{" + nodeUuid + "}:";
    return List.of(base + "x", base + "s", base + "q", base + "qx", base + "qe", base + "n", base + "m");
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
