package io.anvil.events;

import io.anvil.periodic.Periodic;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the {@code events} outbox and the node history (docs/events.md#retention) as periodic tasks. Events go by
 * age ({@code feed.retention_age}) and count ({@code feed.retention_max_events}), never past what this conductor's
 * feed has handed out; the highest pruned seq is recorded first, so a resume from below it is refused (410) rather
 * than silently missing events. Node history follows Ironic's {@code node_history_max_entries} per node, sparing
 * entries younger than {@code node_history_minimum_days}, plus an optional age limit. Deletes go in batches (short
 * transactions); every conductor may run them, they are idempotent.
 */
public final class EventRetention {
    private static final Logger LOG = LoggerFactory.getLogger(EventRetention.class);

    private static final String AGE_CUT =
            "SELECT seq FROM events WHERE created_at < now() - make_interval(secs => $1::float8) ORDER BY created_at DESC LIMIT 1";
    private static final String COUNT_CUT = "SELECT seq FROM events ORDER BY seq DESC OFFSET $1::bigint LIMIT 1";
    private static final String MARK =
            "UPDATE event_retention SET pruned_through = GREATEST(pruned_through, $1::bigint) WHERE id = 1";
    private static final String DELETE_EVENTS = "DELETE FROM events WHERE seq IN"
            + " (SELECT seq FROM events WHERE seq <= $1::bigint ORDER BY seq LIMIT $2::int)";
    private static final String DELETE_HISTORY = "DELETE FROM node_history WHERE id IN (SELECT id FROM"
            + " (SELECT id, created_at, row_number() OVER (PARTITION BY node_id ORDER BY created_at DESC, id DESC) AS n"
            + " FROM node_history) h"
            + " WHERE (($1::int > 0 AND n > $1::int)"
            + " OR ($2::float8 > 0 AND created_at < now() - make_interval(secs => $2::float8)))"
            + " AND created_at < now() - make_interval(days => $3::int) LIMIT $4::int)";

    private final Pool db;
    private final FeedSettings settings;
    private final FeedHub hub;

    public EventRetention(Pool db, FeedSettings settings, FeedHub hub) {
        this.db = db;
        this.settings = settings;
        this.hub = hub;
    }

    /** Prunes events older than the retention age or beyond the newest retention_max_events; returns how many. */
    @Periodic(spacing = "feed.retention_interval", parallel = false, name = "prune_events")
    public Future<Long> pruneEvents() {
        Duration age = settings.retentionAge();
        long max = settings.retentionMaxEvents();
        Future<Long> byAge = age.isZero()
                ? Future.succeededFuture(-1L)
                : db.preparedQuery(AGE_CUT)
                        .execute(Tuple.of(age.toNanos() / 1e9))
                        .map(rows ->
                                rows.size() == 0 ? -1L : rows.iterator().next().getLong("seq"));
        return byAge.compose(a -> (max == 0
                                ? Future.succeededFuture(-1L)
                                : db.preparedQuery(COUNT_CUT)
                                        .execute(Tuple.of(max))
                                        .map(rows -> rows.size() == 0
                                                ? -1L
                                                : rows.iterator().next().getLong("seq")))
                        .map(c -> Math.max(a, c)))
                .compose(cut -> {
                    // never prune what live subscribers have not been handed yet
                    long through = Math.min(cut, hub.horizon());
                    if (through <= 0) {
                        return Future.succeededFuture(0L);
                    }
                    return db.preparedQuery(MARK).execute(Tuple.of(through)).compose(v -> deleteEvents(through, 0L));
                })
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("event feed: pruned {} event(s)", n);
                    }
                });
    }

    private Future<Long> deleteEvents(long through, long deleted) {
        int batch = settings.historyBatchCount();
        return db.preparedQuery(DELETE_EVENTS).execute(Tuple.of(through, batch)).compose(r -> {
            long total = deleted + r.rowCount();
            return r.rowCount() < batch ? Future.succeededFuture(total) : deleteEvents(through, total);
        });
    }

    /** Ironic's node history cleanup: beyond node_history_max_entries per node (or too old), in batches. */
    @Periodic(spacing = "conductor.node_history_cleanup_interval", parallel = false, name = "node_history_cleanup")
    public Future<Long> pruneHistory() {
        if (settings.historyMaxEntries() == 0 && settings.historyMaxAge().isZero()) {
            return Future.succeededFuture(0L);
        }
        return deleteHistory(0L).onSuccess(n -> {
            if (n > 0) {
                LOG.info("node history: pruned {} entr{}", n, n == 1 ? "y" : "ies");
            }
        });
    }

    private Future<Long> deleteHistory(long deleted) {
        int batch = settings.historyBatchCount();
        return db.preparedQuery(DELETE_HISTORY)
                .execute(Tuple.of(
                        settings.historyMaxEntries(),
                        settings.historyMaxAge().toNanos() / 1e9,
                        settings.historyMinimumDays(),
                        batch))
                .compose(r -> {
                    long total = deleted + r.rowCount();
                    return r.rowCount() < batch ? Future.succeededFuture(total) : deleteHistory(total);
                });
    }
}
