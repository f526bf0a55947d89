package io.anvil.agent;

import io.anvil.util.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent liveness, coalesced in memory per node and written in batches (docs/architecture.md#invariants invariant 5, docs/agent.md): the last
 * heartbeat of each node wins, and every {@code agent.liveness_flush_interval} one {@code UPDATE ... FROM unnest(...)}
 * per {@code agent.liveness_batch_size} nodes writes {@code agent_url}, {@code agent_version},
 * {@code agent_last_heartbeat} (and the optional status fields) into driver_internal_info and, for a node in
 * "wait call-back", "clean wait" or "service wait" at that moment, bumps {@code provision_updated_at} (the wait
 * timeout clock, Ironic's touch_provisioning) once it is older than {@code agent.wait_clock_resolution}: the clock is
 * indexed, and leaving it alone in between lets PostgreSQL update the row in place (a HOT update, no index writes).
 * A node heartbeating 100 times a second costs one row per batch.
 *
 * <p>A row is written only while the node's token is still the one the heartbeat presented: a power-off or the end of
 * a deploy wipes it under the node's lock, and a stale batch can then never bring the old agent's URL back. Liveness
 * is not a state change: a crash loses at most one interval of it, and {@link #stop} flushes what is pending.
 */
public final class LivenessCoalescer {
    private static final Logger LOG = LoggerFactory.getLogger(LivenessCoalescer.class);

    /** Anvil's own event type (Ironic has none): a node's agent is alive, at most once per interval (docs/events.md). */
    public static final String HEARTBEAT_EVENT = "baremetal.node.heartbeat";

    private static final String SET = "UPDATE nodes AS n SET driver_internal_info = n.driver_internal_info"
            + " || jsonb_strip_nulls(jsonb_build_object('agent_url', u.url, 'agent_version', u.version,"
            + " 'agent_last_heartbeat', u.ts, 'agent_verify_ca', u.ca, 'agent_status', u.status,"
            + " 'agent_status_message', u.msg)),"
            + " provision_updated_at = CASE WHEN n.provision_state IN ('wait call-back', 'clean wait', 'service wait')"
            + " AND (n.provision_updated_at IS NULL OR n.provision_updated_at < u.at - make_interval(secs => $10::float8))"
            + " THEN u.at ELSE n.provision_updated_at END, updated_at = now()";
    private static final String FROM = " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],"
            + " $6::text[], $7::text[], $8::text[], $9::text[]) AS u(uuid, token, url, version, at, ts, ca, status, msg)"
            + " WHERE n.uuid = u.uuid AND n.driver_internal_info->>'agent_secret_token' = u.token";

    /** The flush without heartbeat events ({@code agent.heartbeat_event_interval} 0). */
    private static final String SQL = SET + FROM;

    /**
     * The flush with heartbeat events, still one statement (one transaction, one round trip): the same UPDATE also
     * moves {@code heartbeat_event_at} of the nodes whose last event is at least $11 seconds older than this
     * heartbeat, and the outbox rows of exactly those nodes are inserted from its RETURNING (docs/events.md). A
     * concurrent flush of the same node on another conductor waits for the row and re-checks it, so a node gets at
     * most one event per interval across the cluster. The agent URL's user info, if any, is masked.
     */
    private static final String SQL_WITH_EVENTS = "WITH w AS (" + SET
            + ", heartbeat_event_at = CASE WHEN n.heartbeat_event_at IS NULL"
            + " OR n.heartbeat_event_at <= u.at - make_interval(secs => $11::float8)"
            + " THEN u.at ELSE n.heartbeat_event_at END"
            + FROM
            + " RETURNING n.uuid, n.name, n.owner, n.lessee, n.conductor_group, u.ts, u.version, u.url,"
            + " n.heartbeat_event_at = u.at AS due),"
            + " e AS (INSERT INTO events (event_type, node_uuid, priority, publisher, payload)"
            + " SELECT '" + HEARTBEAT_EVENT + "', w.uuid, 'info', $12, jsonb_build_object('uuid', w.uuid,"
            + " 'name', w.name, 'owner', w.owner, 'lessee', w.lessee, 'conductor_group', w.conductor_group,"
            + " 'agent_last_heartbeat', w.ts, 'agent_version', w.version,"
            + " 'agent_url', regexp_replace(w.url, '//[^/@]*@', '//" + Secrets.MASK + "@'))"
            + " FROM w WHERE w.due RETURNING 1)"
            + " SELECT (SELECT count(*) FROM w) AS written, (SELECT count(*) FROM e) AS emitted";

    /**
     * One node's latest liveness; the token, as stored (encrypted at rest, docs/security.md), is kept only to condition
     * the write: a re-issued token is a different stored value.
     */
    record Liveness(
            UUID uuid,
            String token,
            String url,
            String version,
            long atMicros,
            String verifyCa,
            String status,
            String statusMessage) {
        @Override
        public String toString() {
            return "Liveness[" + uuid + "]";
        }
    }

    private final Vertx vertx;
    private final SqlClient db;
    private final Duration interval;
    private final Duration clockResolution;
    private final int batchSize;
    private final AgentMetrics metrics;
    private final HeartbeatEvents events;
    private final Map<UUID, Liveness> pending = new ConcurrentHashMap<>();
    private long timer = -1;
    private boolean flushing;
    private Promise<Void> idle;

    LivenessCoalescer(
            Vertx vertx,
            SqlClient db,
            Duration interval,
            Duration clockResolution,
            int batchSize,
            AgentMetrics metrics,
            HeartbeatEvents events) {
        this.vertx = vertx;
        this.db = db;
        this.interval = interval;
        this.clockResolution = clockResolution;
        this.batchSize = Math.max(1, batchSize);
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * The flush's heartbeat events: at most one per node per {@code interval} (zero: none), written as
     * {@code publisher}; {@code committed} wakes the event feed after a flush that wrote some (as the outbox's commit
     * hook does, docs/events.md#across-conductors).
     */
    public record HeartbeatEvents(Duration interval, String publisher, Runnable committed) {
        boolean enabled() {
            return !interval.isZero() && !interval.isNegative();
        }
    }

    /** Any thread. The newest heartbeat of a node replaces the older one not yet written. */
    void record(Liveness l) {
        pending.put(l.uuid(), l);
        metrics.livenessRecorded.increment();
    }

    /** Now, in microseconds since the epoch: what a heartbeat's liveness keeps until its flush (no objects). */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    static OffsetDateTime at(long micros) {
        return OffsetDateTime.ofInstant(
                Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L),
                ZoneOffset.UTC);
    }

    /** Ironic's timestamp format of agent_last_heartbeat (timeutils.utcnow().isoformat()): naive UTC. */
    static String isoformat(long micros) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000), 0, ZoneOffset.UTC);
        int fraction = (int) Math.floorMod(micros, 1_000_000);
        StringBuilder sb = new StringBuilder(26);
        digits(sb, t.getYear(), 4).append('-');
        digits(sb, t.getMonthValue(), 2).append('-');
        digits(sb, t.getDayOfMonth(), 2).append('T');
        digits(sb, t.getHour(), 2).append(':');
        digits(sb, t.getMinute(), 2).append(':');
        digits(sb, t.getSecond(), 2);
        if (fraction != 0) { // microseconds, omitted when zero
            digits(sb.append('.'), fraction, 6);
        }
        return sb.toString();
    }

    private static StringBuilder digits(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /** Nodes whose liveness waits for the next flush. */
    public int pending() {
        return pending.size();
    }

    synchronized void start() {
        long ms = Math.max(1, interval.toMillis());
        timer = vertx.setPeriodic(ms, ms, id -> flush());
    }

    /** Stops the timer and writes everything still pending (the graceful stop's last liveness). */
    synchronized Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return flush();
    }

    /** Writes what is pending now, one statement per batch; completes when written (or when a running flush ends). */
    synchronized Future<Void> flush() {
        if (flushing) {
            if (idle == null) {
                idle = Promise.promise();
            }
            return idle.future();
        }
        flushing = true;
        Promise<Void> done = Promise.promise();
        // only what is pending now: heartbeats arriving meanwhile wait for the next tick, so batches stay full
        writeNext(done, pending.size());
        return done.future();
    }

    private void writeNext(Promise<Void> done, int budget) {
        List<Liveness> chunk = new ArrayList<>(Math.min(batchSize, Math.max(0, budget)));
        Iterator<Map.Entry<UUID, Liveness>> it = pending.entrySet().iterator();
        while (it.hasNext() && chunk.size() < batchSize && chunk.size() < budget) {
            Map.Entry<UUID, Liveness> e = it.next();
            if (pending.remove(e.getKey(), e.getValue())) {
                chunk.add(e.getValue());
            }
        }
        if (chunk.isEmpty()) {
            Promise<Void> waiting;
            synchronized (this) {
                flushing = false;
                waiting = idle;
                idle = null;
            }
            done.complete();
            if (waiting != null) {
                flush().onComplete(waiting);
            }
            return;
        }
        int n = chunk.size();
        UUID[] uuids = new UUID[n];
        String[] tokens = new String[n];
        String[] urls = new String[n];
        String[] versions = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        String[] stamps = new String[n];
        String[] cas = new String[n];
        String[] statuses = new String[n];
        String[] messages = new String[n];
        for (int i = 0; i < n; i++) {
            Liveness l = chunk.get(i);
            uuids[i] = l.uuid();
            tokens[i] = l.token();
            urls[i] = l.url();
            versions[i] = l.version();
            ats[i] = at(l.atMicros());
            stamps[i] = isoformat(l.atMicros());
            cas[i] = l.verifyCa();
            statuses[i] = l.status();
            messages[i] = l.statusMessage();
        }
        metrics.flushStatements.increment();
        double clock = clockResolution.toNanos() / 1e9;
        boolean withEvents = events.enabled();
        Tuple params = withEvents
                ? Tuple.wrap(new Object[] {
                    uuids,
                    tokens,
                    urls,
                    versions,
                    ats,
                    stamps,
                    cas,
                    statuses,
                    messages,
                    clock,
                    events.interval().toNanos() / 1e9,
                    events.publisher()
                })
                : Tuple.wrap(new Object[] {uuids, tokens, urls, versions, ats, stamps, cas, statuses, messages, clock});
        db.preparedQuery(withEvents ? SQL_WITH_EVENTS : SQL).execute(params).onComplete(ar -> {
            if (ar.succeeded()) {
                long written = ar.result().rowCount();
                if (withEvents) {
                    Row counts = ar.result().iterator().next();
                    written = counts.getLong("written");
                    long emitted = counts.getLong("emitted");
                    if (emitted > 0) {
                        metrics.heartbeatEvents.add(emitted);
                        events.committed().run();
                    }
                }
                metrics.rowsWritten.add(written);
                metrics.rowsSkipped.add(n - written);
            } else {
                // liveness only: the agents' next heartbeats carry it again
                LOG.warn(
                        "Could not write the liveness of {} agent(s): {}",
                        n,
                        ar.cause().toString());
            }
            writeNext(done, budget - n);
        });
    }
}
