package io.anvil.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This conductor's view of the cluster: the {@link HashRings} rebuilt from the conductors table every
 * hash_ring_reset_interval (Ironic rebuilds lazily after 15 s). Decides ownership for periodic work and
 * take-over. While draining this conductor owns nothing, so node-iterating periodics stop picking up nodes.
 *
 * <p>Two conductors may briefly disagree while one has refreshed and the other has not (up to one interval);
 * correctness never depends on ownership: every write is made under the node's lock and fenced.
 */
public final class ClusterRing implements NodeOwnership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRing.class);

    private final Vertx vertx;
    private final ConductorRegistry registry;
    private final List<Consumer<HashRings>> listeners = new CopyOnWriteArrayList<>();
    private volatile HashRings current = HashRings.empty();
    private volatile long refreshedAt;
    private long timer = -1;
    private long expiryTimer = -1;
    private boolean refreshing;
    private boolean refreshAgain;

    public ClusterRing(Vertx vertx, ConductorRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
    }

    /** Loads the rings once, then refreshes them every hash_ring_reset_interval. */
    public Future<Void> start() {
        io.vertx.core.Context context = vertx.getOrCreateContext();
        // a peer whose liveness lock went free was just marked offline: rebuild now, not at the next interval
        registry.onPeersDead(() -> context.runOnContext(v -> tick()));
        return refresh()
                .onSuccess(r -> {
                    if (timer < 0) {
                        timer = vertx.setPeriodic(registry.ringRefresh().toMillis(), id -> tick());
                    }
                })
                .mapEmpty();
    }

    private void tick() {
        if (refreshing) {
            refreshAgain = true; // the running read may predate the change that asked for this one
            return;
        }
        refreshing = true;
        refresh().onComplete(x -> {
            refreshing = false;
            if (refreshAgain) {
                refreshAgain = false;
                tick();
            }
        });
    }

    /**
     * Re-reads the conductors table, swaps the snapshot and tells every listener (each refresh, changed or not: the
     * take-over sweep also looks for orphans the ring change alone would not reveal).
     */
    public Future<HashRings> refresh() {
        return registry.rings()
                .onSuccess(next -> {
                    HashRings previous = current;
                    current = next;
                    refreshedAt = System.nanoTime();
                    if (!next.sameMembership(previous)) {
                        LOG.info(
                                "Conductor {}: hash rings rebuilt, alive conductors {}",
                                registry.hostname(),
                                next.aliveHosts());
                    }
                    scheduleExpiryRefresh(next);
                    for (Consumer<HashRings> l : listeners) {
                        try {
                            l.accept(next);
                        } catch (RuntimeException e) {
                            LOG.warn("hash ring listener failed: {}", e.toString());
                        }
                    }
                })
                .onFailure(e -> LOG.warn("hash ring refresh failed (keeping the previous rings): {}", e.getMessage()));
    }

    /**
     * A peer that stops its keepalive turns dead at a known instant (its last keepalive + heartbeat_timeout). When
     * that instant falls before the next periodic refresh, refresh right after it: take-over then starts at
     * heartbeat_timeout, not up to a whole hash_ring_reset_interval later.
     */
    private void scheduleExpiryRefresh(HashRings rings) {
        long soonest = Long.MAX_VALUE;
        for (ConductorRegistry.Conductor c : rings.conductors()) {
            if (c.alive() && !c.hostname().equalsIgnoreCase(registry.hostname())) {
                soonest = Math.min(soonest, c.aliveForMs());
            }
        }
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
            expiryTimer = -1;
        }
        if (timer >= 0 && soonest < registry.ringRefresh().toMillis()) {
            expiryTimer = vertx.setTimer(Math.max(1, soonest + 20), id -> {
                expiryTimer = -1;
                tick();
            });
        }
    }

    /** Called after every refresh with the new snapshot, on the refreshing context. */
    public void onRefresh(Consumer<HashRings> listener) {
        listeners.add(listener);
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
            expiryTimer = -1;
        }
    }

    public HashRings current() {
        return current;
    }

    public String hostname() {
        return registry.hostname();
    }

    /** The owner of a node as this conductor currently sees the rings (null: no alive conductor serves it). */
    public String owner(String nodeUuid, String driver, String conductorGroup) {
        return current.owner(nodeUuid, driver, conductorGroup);
    }

    @Override
    public boolean ownedHere(String nodeUuid, String driver, String conductorGroup) {
        return registry.mayOwn() && registry.hostname().equals(owner(nodeUuid, driver, conductorGroup));
    }
}
