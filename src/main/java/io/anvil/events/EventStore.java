package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The feed's reads of the {@code events} table and of what PostgreSQL knows about transactions in flight. */
public final class EventStore {
    private static final String LAST_ASSIGNED =
            "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS v FROM events_seq_seq";

    /**
     * The transactions of this database that have an id now (are writing). Only this database's: a long transaction
     * elsewhere on the server must not hold the feed back.
     */
    private static final String IN_FLIGHT = "SELECT backend_xid::text AS xid FROM pg_stat_activity"
            + " WHERE datname = current_database() AND backend_xid IS NOT NULL";

    private static final String BOUNDS = "SELECT (SELECT pruned_through FROM event_retention) AS pruned,"
            + " (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM events_seq_seq) AS last";

    private final SqlClient db;

    public EventStore(SqlClient db) {
        this.db = db;
    }

    /** The last sequence number drawn by any transaction, committed or not. */
    public Future<Long> lastAssigned() {
        return db.query(LAST_ASSIGNED)
                .execute()
                .map(rows -> rows.iterator().next().getLong("v"));
    }

    /** Ids of this database's writing transactions (see {@link CommitHorizon}). */
    public Future<Set<Long>> inFlight() {
        return db.query(IN_FLIGHT).execute().map(rows -> {
            Set<Long> out = new HashSet<>();
            for (Row r : rows) {
                out.add(Long.parseLong(r.getString("xid")));
            }
            return out;
        });
    }

    /** Stored events with {@code after < seq <= through} that pass {@code filter}, oldest first, at most {@code limit}. */
    public Future<List<FeedEvent>> read(long after, long through, FeedFilter filter, int limit) {
        Tuple p = Tuple.of(after, through);
        String where = filter.sql(p);
        p.addInteger(limit);
        String sql = "SELECT " + FeedEvent.COLUMNS + " FROM events WHERE seq > $1 AND seq <= $2" + where
                + " ORDER BY seq LIMIT $" + p.size();
        return db.preparedQuery(sql).execute(p).map(rows -> {
            List<FeedEvent> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(FeedEvent.of(r));
            }
            return out;
        });
    }

    /** What a resume can rely on: the highest seq pruned so far and the last seq drawn. */
    public record Bounds(long prunedThrough, long lastAssigned) {}

    public Future<Bounds> bounds() {
        return db.query(BOUNDS).execute().map(rows -> {
            Row r = rows.iterator().next();
            return new Bounds(r.getLong("pruned"), r.getLong("last"));
        });
    }
}
