package io.anvil.cluster;

import io.anvil.store.Database;
import io.anvil.store.RowJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This conductor's row in {@code conductors} (Ironic's
 * {@code ironic/conductor/base_manager.py: BaseConductorManager.init_host} and its keepalive thread,
 * {@code _conductor_service_record_keepalive}): registered at start, touched every heartbeat interval (the keepalive),
 * marked offline when draining and on a clean stop. Others read the table to know who is alive:
 * {@code online AND updated_at > now() - heartbeat_timeout}, with PostgreSQL's clock, so every reader agrees. While
 * draining the keepalive goes on with {@code online = false}: peers drop this conductor from their rings while it
 * finishes its running work. With a {@link LivenessLock} ({@code conductor.liveness_poll_interval} &gt; 0) a crashed
 * peer is marked offline as soon as PostgreSQL ends its session, without waiting for {@code heartbeat_timeout}.
 */
public final class ConductorRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ConductorRegistry.class);

    /**
     * One conductor as the API shows it, plus {@code aliveForMs}: how long it stays alive without another keepalive
     * (by PostgreSQL's clock; 0 when it is not alive).
     */
    public record Conductor(
            String hostname,
            String group,
            boolean alive,
            List<String> drivers,
            String createdAt,
            String updatedAt,
            long aliveForMs) {
        public Conductor(
                String hostname,
                String group,
                boolean alive,
                List<String> drivers,
                String createdAt,
                String updatedAt) {
            this(hostname, group, alive, drivers, createdAt, updatedAt, alive ? Long.MAX_VALUE : 0);
        }
    }

    private final Vertx vertx;
    private final Database db;
    private final String hostname;
    private final String group;
    private final List<String> drivers;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final int partitions;
    private final Duration ringRefresh;
    private volatile boolean draining;
    private volatile String apiUrl;
    private volatile long conductorId = -1;
    private long timer = -1;
    private boolean touching;
    private LivenessLock liveness;

    /** Ironic's units: whole seconds, HashRing.DEFAULT_PARTITIONS points per host, rings refreshed every 15 s. */
    public ConductorRegistry(
            Vertx vertx,
            Database db,
            String hostname,
            String group,
            List<String> drivers,
            int heartbeatInterval,
            int heartbeatTimeout) {
        this(
                vertx,
                db,
                hostname,
                group,
                drivers,
                Duration.ofSeconds(heartbeatInterval),
                Duration.ofSeconds(heartbeatTimeout),
                HashRing.DEFAULT_PARTITIONS,
                Duration.ofSeconds(15));
    }

    public ConductorRegistry(
            Vertx vertx,
            Database db,
            String hostname,
            String group,
            List<String> drivers,
            Duration heartbeatInterval,
            Duration heartbeatTimeout,
            int partitions,
            Duration ringRefresh) {
        if (heartbeatInterval.toMillis() < 1 || heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("heartbeat_timeout must be longer than heartbeat_interval (> 0)");
        }
        this.vertx = vertx;
        this.db = db;
        this.hostname = hostname;
        this.group = group;
        this.drivers = List.copyOf(drivers);
        this.heartbeatInterval = heartbeatInterval;
        this.heartbeatTimeout = heartbeatTimeout;
        this.partitions = partitions;
        this.ringRefresh = ringRefresh;
    }

    public String hostname() {
        return hostname;
    }

    public String group() {
        return group;
    }

    /** This conductor's {@code conductors.id} once registered (Ironic's conductor_affinity value), else -1. */
    public long conductorId() {
        return conductorId;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** Points per host on each hash ring (2^hash_partition_exponent). */
    public int partitions() {
        return partitions;
    }

    /** How often rings are rebuilt from the table (hash_ring_reset_interval). */
    public Duration ringRefresh() {
        return ringRefresh;
    }

    /** True once a graceful stop began: the API refuses new conductor work (503) and this host owns nothing. */
    public boolean draining() {
        return draining;
    }

    /**
     * Holds this conductor's liveness in PostgreSQL (a session-level advisory lock on a connection of its own, see
     * {@link LivenessLock}) and watches its peers' every {@code pollInterval}. Call before {@link #register()}.
     */
    public ConductorRegistry withLiveness(Duration pollInterval) {
        liveness = new LivenessLock(vertx, db.url().connectOptions(), hostname, pollInterval, heartbeatTimeout);
        return this;
    }

    /**
     * Registers (or re-registers after a restart) online and starts the keepalive. With a liveness lock the row is
     * written on the liveness connection in the transaction that takes the lock, and written again (online) each time
     * that connection had to be opened again.
     */
    public Future<Void> register() {
        Future<Long> registered = liveness == null
                ? upsert(db.reads())
                : liveness.open(connection -> upsert(connection).onSuccess(id -> conductorId = id));
        return registered
                .onSuccess(id -> {
                    conductorId = id;
                    draining = false;
                    if (timer < 0) {
                        timer = vertx.setPeriodic(heartbeatInterval.toMillis(), t -> keepalive());
                    }
                })
                .mapEmpty();
    }

    private Future<Long> upsert(io.vertx.sqlclient.SqlClient client) {
        return client.preparedQuery(
                        "INSERT INTO conductors (hostname, conductor_group, online, drivers, updated_at, api_url)"
                                + " VALUES ($1, $2, $5, $3, now(), $4) ON CONFLICT (hostname) DO UPDATE SET"
                                + " conductor_group = $2, online = $5, drivers = $3, updated_at = now(), api_url = $4"
                                + " RETURNING id")
                .execute(Tuple.of(hostname, group, new JsonArray(drivers), apiUrl, !draining))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * True while this conductor's liveness connection is lost (and not yet back with its lock): peers may already
     * count it dead, so it takes no node work and its keepalive does not claim it alive.
     */
    public boolean livenessLost() {
        return liveness != null && liveness.lost();
    }

    /**
     * Whether this conductor's liveness poll has seen the peer's liveness lock held: from then on the peer's crash is
     * seen at the next poll rather than at the keepalive timeout.
     */
    public boolean watchesLivenessOf(long peerConductorId) {
        return liveness != null && liveness.hasSeenHeld(peerConductorId);
    }

    /** True while this conductor may own nodes: not draining, and alive as PostgreSQL sees it. */
    public boolean mayOwn() {
        return !draining && !livenessLost();
    }

    /** Called (on the liveness poller's context) after it marked peers offline because their liveness lock was free. */
    public void onPeersDead(Runnable listener) {
        if (liveness != null) {
            liveness.onPeersDead(hosts -> listener.run());
        }
    }

    /**
     * Records where other conductors reach this conductor's API once it listens (a restart clears the old address at
     * {@link #register()}, so a peer never relays to a port nobody listens on any more).
     */
    public Future<Void> advertise(String url) {
        apiUrl = url;
        return db.reads()
                .preparedQuery("UPDATE conductors SET api_url = $2 WHERE hostname = $1")
                .execute(Tuple.of(hostname, url))
                .mapEmpty();
    }

    /** The API address an alive conductor advertised (empty when it is not alive or has not advertised one). */
    public Future<java.util.Optional<String>> apiUrlOf(String host) {
        return db.reads()
                .preparedQuery("SELECT api_url FROM conductors WHERE hostname = $1 AND online"
                        + " AND updated_at > now() - make_interval(secs => $2)")
                .execute(Tuple.of(host, heartbeatTimeout.toMillis() / 1000.0))
                .map(rows -> rows.size() == 0
                        ? java.util.Optional.<String>empty()
                        : java.util.Optional.ofNullable(rows.iterator().next().getString("api_url")));
    }

    private void keepalive() {
        if (touching) {
            return; // the previous touch is still running (slow database): never pile them up
        }
        if (livenessLost()) {
            return; // peers may already have marked this conductor dead: it registers again with its lock
        }
        touching = true;
        touch(!draining).onComplete(x -> touching = false);
    }

    private Future<Void> touch(boolean online) {
        return db.reads()
                .preparedQuery("UPDATE conductors SET online = $2, updated_at = now() WHERE hostname = $1")
                .execute(Tuple.of(hostname, online))
                .<Void>mapEmpty()
                .onFailure(e -> LOG.warn("conductor keepalive failed (will retry): {}", e.getMessage()));
    }

    /**
     * Leaves the rings while staying up: marks this conductor offline now and keeps touching {@code updated_at}
     * with {@code online = false} until {@link #unregister()}.
     */
    public Future<Void> beginDrain() {
        draining = true;
        LOG.info("Conductor {} is draining: no new work, leaving the hash ring", hostname);
        return touch(false).recover(e -> Future.succeededFuture());
    }

    /** Stops the keepalive and marks this conductor offline. */
    public Future<Void> unregister() {
        draining = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return touch(false)
                .recover(e -> Future.succeededFuture())
                .compose(v -> liveness == null ? Future.succeededFuture() : liveness.close());
    }

    public Future<List<Conductor>> list() {
        return db.reads()
                .preparedQuery("SELECT hostname, conductor_group, drivers, created_at, updated_at,"
                        + " online AND updated_at > now() - make_interval(secs => $1) AS alive,"
                        + " (EXTRACT(EPOCH FROM updated_at + make_interval(secs => $1) - now()) * 1000)::bigint AS alive_for_ms"
                        + " FROM conductors ORDER BY id")
                .execute(Tuple.of(heartbeatTimeout.toMillis() / 1000.0))
                .map(rows -> {
                    List<Conductor> out = new ArrayList<>();
                    for (Row r : rows) {
                        List<String> d = new ArrayList<>();
                        JsonArray a = (JsonArray) r.getValue("drivers");
                        a.forEach(x -> d.add(String.valueOf(x)));
                        boolean alive = Boolean.TRUE.equals(r.getBoolean("alive"));
                        out.add(new Conductor(
                                r.getString("hostname"),
                                r.getString("conductor_group"),
                                alive,
                                d,
                                RowJson.formatTime(r.getOffsetDateTime("created_at")),
                                RowJson.formatTime(r.getOffsetDateTime("updated_at")),
                                alive ? r.getLong("alive_for_ms") : 0));
                    }
                    return out;
                });
    }

    /** Rings over the table as it is now. */
    public Future<HashRings> rings() {
        return list().map(l -> HashRings.build(l, partitions));
    }

    /**
     * The alive conductor that owns a node, on the consistent hash ring of the node's group and hardware type with
     * the default number of points per host ({@link HashRing#DEFAULT_PARTITIONS}). Builds the rings on every call: callers that look up many nodes keep a
     * {@link HashRings} snapshot instead.
     */
    public static String owner(List<Conductor> conductors, String nodeUuid, String driver, String nodeGroup) {
        return HashRings.build(conductors, HashRing.DEFAULT_PARTITIONS).owner(nodeUuid, driver, nodeGroup);
    }
}
