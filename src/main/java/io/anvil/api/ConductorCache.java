package io.anvil.api;

import io.anvil.cluster.ConductorRegistry;
import io.anvil.cluster.ConductorRegistry.Conductor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * A per-verticle snapshot of the conductors table, refreshed every few seconds, so rendering a node's
 * {@code conductor} field or a driver's {@code hosts} costs no query (Ironic's API ring is up to 15 s stale too).
 */
final class ConductorCache {
  private static final long REFRESH_MS = 5000;
  private final ConductorRegistry registry;
  private volatile List<Conductor> current = List.of();
  /** Bumped whenever the snapshot changes, so renderings that embed conductor names can be keyed by it. */
  private volatile long generation;
  private long timer = -1;

  ConductorCache(ConductorRegistry registry) {
    this.registry = registry;
  }

  Future<Void> start(Vertx vertx) {
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
    return refresh();
  }

  Future<Void> refresh() {
    return registry.list().onSuccess(l -> {
      if (!l.equals(current)) {
        current = l;
        generation++;
      }
    }).mapEmpty();
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  long generation() {
    return generation;
  }

  List<Conductor> current() {
    return current;
  }

  String ownerOf(String nodeUuid, String driver, String group) {
    return ConductorRegistry.owner(current, nodeUuid, driver, group);
  }
}
