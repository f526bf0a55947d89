package io.anvil.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A conductor's liveness as PostgreSQL itself sees it (docs/scale-out.md#take-over): a session-level advisory lock
 * keyed by the conductor's {@code conductors.id}, held on a connection of its own (never a pooled one, which may be
 * recycled) for the process's lifetime. When the process dies ({@code kill -9}, a crash, an OOM kill), its operating
 * system closes the socket, PostgreSQL ends the session and the lock is free at once. Every
 * {@code liveness_poll_interval} each conductor reads {@code pg_locks} on the same connection: an online peer whose
 * lock this session saw held and now sees free is marked offline in the conductors table, the same verdict as a
 * keepalive older than {@code heartbeat_timeout}, so every conductor and every API agrees on the rings. A crash is
 * seen in about a second; the keepalive stays for what closes no socket (a hung process, a host lost without a FIN).
 *
 * <p>Only "seen held, then free" counts, within one session of the watcher: after a PostgreSQL restart every lock is
 * free until its conductor reconnects, and a watcher whose own session is new has seen nothing yet, so nobody is
 * declared dead by a restart (the keepalive still applies). A conductor whose own connection is lost is {@link #lost()}
 * until it has reconnected and taken its lock again: it owns no node meanwhile and its keepalive stops claiming it is
 * alive; back, it registers again (online), as a conductor coming back after a keepalive timeout does. A lock still
 * held by an earlier session of the same conductor (a restart after a host loss, before PostgreSQL noticed) is waited
 * for on the connection: the grant comes the instant that session ends, with no moment at which the lock looks free.
 */
public final class LivenessLock {
    private static final Logger LOG = LoggerFactory.getLogger(LivenessLock.class);

    /** First key of the two-key advisory lock ("ANVL"): keeps clear of other users of advisory locks. */
    static final int LOCK_CLASS = 0x414E564C;

    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    /** The online peers of this database, each with whether some session holds its liveness lock. */
    private static final String PEERS = "SELECT c.id, c.hostname, l.pid IS NOT NULL AS held FROM conductors c"
            + " LEFT JOIN (SELECT objid::bigint AS id, pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            + " AND objsubid = 2 AND classid::bigint = $1"
            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) l ON l.id = c.id"
            + " WHERE c.online AND c.id <> $2";

    /** Marks offline those of the given peers whose lock is (still) free, in one statement. */
    private static final String MARK_DEAD = "UPDATE conductors c SET online = FALSE WHERE c.id = ANY($2) AND c.online"
            + " AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.objsubid = 2 AND l.classid::bigint = $1 AND l.objid::bigint = c.id"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
            + " RETURNING c.hostname";

    enum State {
        /** Not opened yet, or reconnecting after a loss. */
        CONNECTING,
        /** The lock is held on the open connection. */
        HELD,
        /** Connected, waiting for an earlier session of this conductor to release the lock. */
        WAITING,
        CLOSED
    }

    private final Vertx vertx;
    private final PgConnectOptions connect;
    private final String hostname;
    private final Duration pollInterval;
    private final Duration stallLimit;
    private final List<Consumer<List<String>>> deathListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Function<SqlConnection, Future<Long>> register;
    private volatile State state = State.CONNECTING;
    private volatile boolean everHeld;
    private PgConnection conn;
    private long conductorId = -1;
    private long timer = -1;
    private long backoffMs = FIRST_BACKOFF_MS;
    /** Peers whose lock this session saw held: only those can be seen dying. */
    private final Set<Long> seenHeld = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private long pollStartedAt;
    private boolean polling;

    /**
     * @param stallLimit a poll unanswered this long means the connection is dead without PostgreSQL or the socket
     *     saying so: it is closed and opened again
     */
    public LivenessLock(
            Vertx vertx, PgConnectOptions connect, String hostname, Duration pollInterval, Duration stallLimit) {
        if (pollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("liveness_poll_interval must be > 0");
        }
        this.vertx = vertx;
        this.connect = new PgConnectOptions(connect).setCachePreparedStatements(true);
        this.connect.getProperties().put("application_name", "anvil liveness " + hostname);
        this.hostname = hostname;
        this.pollInterval = pollInterval;
        this.stallLimit = stallLimit;
    }

    /** Called with the host names this conductor just marked offline (their lock went free). */
    public void onPeersDead(Consumer<List<String>> listener) {
        deathListeners.add(listener);
    }

    /**
     * Connects and, in one transaction on the new connection, runs {@code register} (which writes this conductor's row
     * and returns its id) and tries the lock: a peer never sees the row online while the lock is free. Then polls. On a
     * later loss of the connection the same happens again, with back-off.
     */
    public Future<Long> open(Function<SqlConnection, Future<Long>> register) {
        this.register = register;
        return connectAndRegister().onSuccess(id -> {
            if (timer < 0) {
                timer = vertx.setPeriodic(pollInterval.toMillis(), t -> poll());
            }
        });
    }

    /** True while this conductor does not hold its lock on a live session (and is not waiting for its own old one). */
    public boolean lost() {
        return state == State.CONNECTING && everHeld;
    }

    /** Whether this session has seen the peer's lock held, so that it will see the peer die (any thread). */
    public boolean hasSeenHeld(long peerId) {
        return seenHeld.contains(peerId);
    }

    /** Ends the session: peers see the lock free at once (a graceful stop has marked the row offline before). */
    public Future<Void> close() {
        state = State.CLOSED;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        PgConnection c = conn;
        conn = null;
        return c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
    }

    private Future<Long> connectAndRegister() {
        return PgConnection.connect(vertx, connect).compose(c -> {
            if (state == State.CLOSED) {
                return c.close().compose(v -> Future.failedFuture("closed"));
            }
            conn = c;
            seenHeld.clear();
            polling = false;
            c.closeHandler(v -> connectionLost(c));
            return c.begin()
                    .compose(tx -> register.apply(c)
                            .compose(id -> c.preparedQuery("SELECT pg_try_advisory_lock($1, $2)")
                                    .execute(Tuple.of(LOCK_CLASS, Math.toIntExact(id)))
                                    .map(rows -> {
                                        conductorId = id;
                                        return rows.iterator().next().getBoolean(0);
                                    }))
                            .compose(got -> tx.commit().map(got)))
                    .map(got -> {
                        backoffMs = FIRST_BACKOFF_MS;
                        if (got) {
                            held();
                        } else {
                            waitForOldSession(c);
                        }
                        return conductorId;
                    })
                    .onFailure(e -> {
                        if (conn == c) {
                            conn = null; // the caller retries (or fails the start): not the close handler
                        }
                        c.close();
                    });
        });
    }

    private void held() {
        if (state != State.CLOSED) {
            if (everHeld && state != State.HELD) {
                LOG.info("Conductor {} holds its liveness lock again", hostname);
            }
            state = State.HELD;
            everHeld = true;
        }
    }

    /** An earlier session of this conductor (or a second process with its hostname) holds the lock: queue for it. */
    private void waitForOldSession(PgConnection c) {
        state = State.WAITING;
        LOG.warn(
                "Conductor {}: another database session holds its liveness lock (an earlier run whose session"
                        + " PostgreSQL has not ended yet, or another process with the same conductor.hostname);"
                        + " waiting for it, peers see this conductor's death only at heartbeat_timeout meanwhile",
                hostname);
        c.preparedQuery("SELECT pg_advisory_lock($1, $2)")
                .execute(Tuple.of(LOCK_CLASS, Math.toIntExact(conductorId)))
                .onSuccess(r -> {
                    if (conn == c) {
                        held();
                    }
                });
    }

    private void connectionLost(PgConnection c) {
        if (conn != c || state == State.CLOSED) {
            return;
        }
        conn = null;
        state = State.CONNECTING;
        LOG.warn(
                "Conductor {} lost its liveness connection to PostgreSQL: it owns no node until it holds its"
                        + " liveness lock again",
                hostname);
        reconnectLater();
    }

    private void reconnectLater() {
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        vertx.setTimer(delay, t -> {
            if (state != State.CONNECTING) {
                return;
            }
            connectAndRegister().onFailure(e -> {
                LOG.warn("Conductor {}: liveness reconnection failed ({}), retrying", hostname, e.getMessage());
                if (state == State.CONNECTING) {
                    conn = null;
                    reconnectLater();
                }
            });
        });
    }

    private void poll() {
        PgConnection c = conn;
        if (state != State.HELD || c == null) {
            return;
        }
        if (polling) {
            if (System.nanoTime() - pollStartedAt > stallLimit.toNanos()) {
                LOG.warn("Conductor {}: liveness poll unanswered for {}, reconnecting", hostname, stallLimit);
                c.close(); // the close handler reconnects
            }
            return;
        }
        polling = true;
        pollStartedAt = System.nanoTime();
        c.preparedQuery(PEERS)
                .execute(Tuple.of((long) LOCK_CLASS, conductorId))
                .compose(rows -> {
                    List<Long> dying = new ArrayList<>();
                    for (Row r : rows) {
                        long id = r.getLong("id");
                        if (Boolean.TRUE.equals(r.getBoolean("held"))) {
                            seenHeld.add(id);
                        } else if (seenHeld.remove(id)) {
                            dying.add(id);
                        }
                    }
                    if (dying.isEmpty()) {
                        return Future.succeededFuture(List.<String>of());
                    }
                    return c.preparedQuery(MARK_DEAD)
                            .execute(
                                    Tuple.tuple().addLong((long) LOCK_CLASS).addArrayOfLong(dying.toArray(new Long[0])))
                            .map(marked -> {
                                List<String> dead = new ArrayList<>();
                                marked.forEach(r -> dead.add(r.getString(0)));
                                return dead;
                            });
                })
                .onComplete(ar -> {
                    if (conn == c) {
                        polling = false;
                    }
                    if (ar.failed()) {
                        LOG.warn(
                                "Conductor {}: liveness poll failed: {}",
                                hostname,
                                ar.cause().getMessage());
                    } else if (!ar.result().isEmpty()) {
                        LOG.info(
                                "Conductor {}: the liveness lock of {} is free (its database session ended):"
                                        + " offline now, without waiting for heartbeat_timeout",
                                hostname,
                                ar.result());
                        deathListeners.forEach(l -> l.accept(ar.result()));
                    }
                });
    }
}
