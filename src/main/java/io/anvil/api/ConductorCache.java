package io.anvil.api;

import io.anvil.cluster.ConductorRegistry;
import io.anvil.cluster.ConductorRegistry.Conductor;
import io.anvil.cluster.HashRings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A per-verticle snapshot of the conductors table and its hash rings, refreshed every hash_ring_reset_interval, so
 * rendering a node's {@code conductor} field or a driver's {@code hosts} costs no query (Ironic's API ring is up to
 * 15 s stale too). Built from the same rows with the same ring, it names the conductor that owns the node.
 */
final class ConductorCache {
    private final ConductorRegistry registry;
    private volatile List<Conductor> current = List.of();
    private volatile HashRings rings = HashRings.empty();
    /** Bumped whenever the snapshot changes, so renderings that embed conductor names can be keyed by it. */
    private volatile long generation;

    private long timer = -1;

    ConductorCache(ConductorRegistry registry) {
        this.registry = registry;
    }

    Future<Void> start(Vertx vertx) {
        timer = vertx.setPeriodic(Math.max(1, registry.ringRefresh().toMillis()), id -> refresh());
        return refresh();
    }

    Future<Void> refresh() {
        return registry.list()
                .onSuccess(l -> {
                    if (!l.equals(current)) {
                        HashRings next = HashRings.build(l, registry.partitions());
                        boolean moved = !next.sameMembership(rings);
                        rings = next;
                        current = l;
                        if (moved) { // keepalives change updated_at only: cached renderings keep their owners
                            generation++;
                        }
                    }
                })
                .mapEmpty();
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
        return rings.owner(nodeUuid, driver, group);
    }
}
