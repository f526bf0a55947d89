package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The feed's reads of the {@code events} table and of what PostgreSQL knows about transactions in flight. */
public final class EventStore {
    /**
     * The last number drawn, read under the sequence's buffer lock. {@code SELECT last_value FROM events_seq_seq}
     * would read it without that lock, and {@code nextval()} writes the tuple in place in two steps: every 32 numbers it
     * first stores the value 32 ahead (the one it logs to WAL), then the real one (PostgreSQL's
     * src/backend/commands/sequence.c, nextval_internal). A read between the two would see numbers not drawn yet; the
     * horizon would then settle numbers that transactions starting later still draw, and their events would be
     * skipped. {@code pg_sequence_last_value} takes the lock (null until the first number: the start value less one).
     */
    private static final String LAST_ASSIGNED = "COALESCE(pg_sequence_last_value('events_seq_seq'),"
            + " (SELECT seqstart - 1 FROM pg_sequence WHERE seqrelid = 'events_seq_seq'::regclass))";

    /**
     * A mark of the {@link CommitHorizon} in one round trip: the last number drawn, then the transactions of this
     * database that have an id (are writing). The sequence is read first: the CTE is scanned before the select list,
     * whose sub-query then reads the live process array ({@code pg_stat_activity} takes its copy on first use in a
     * transaction, and this statement is a transaction of its own). Only this database's transactions: a long one
     * elsewhere on the server must not hold the feed back. Prepared, as every statement here: planning the view's
     * joins cost PostgreSQL more than running them (~6 % of its CPU in the feed bench when sent as a simple query).
     */
    private static final String MARK = "WITH s AS MATERIALIZED (SELECT " + LAST_ASSIGNED + " AS v)"
            + " SELECT s.v, ARRAY(SELECT backend_xid::text FROM pg_stat_activity"
            + " WHERE datname = current_database() AND backend_xid IS NOT NULL) AS xids FROM s";

    private static final String BOUNDS =
            "SELECT (SELECT pruned_through FROM event_retention) AS pruned, " + LAST_ASSIGNED + " AS last";

    private final SqlClient db;

    public EventStore(SqlClient db) {
        this.db = db;
    }

    /** The last sequence number drawn by any transaction (committed or not), and the transactions in flight. */
    public record Mark(long lastAssigned, Set<Long> inFlight) {}

    /** A {@link Mark}: the last number drawn, read before the ids of this database's writing transactions. */
    public Future<Mark> mark() {
        return db.preparedQuery(MARK).execute().map(rows -> {
            Row r = rows.iterator().next();
            Set<Long> inFlight = new HashSet<>();
            for (String xid : r.getArrayOfStrings("xids")) {
                inFlight.add(Long.parseLong(xid));
            }
            return new Mark(r.getLong("v"), inFlight);
        });
    }

    /** Stored events with {@code after < seq <= through} that pass {@code filter}, oldest first, at most {@code limit}. */
    public Future<List<FeedEvent>> read(long after, long through, FeedFilter filter, int limit) {
        Tuple p = Tuple.of(after, through);
        String where = filter.sql(p);
        p.addInteger(limit);
        String sql = "SELECT " + FeedEvent.COLUMNS + " FROM events WHERE seq > $1 AND seq <= $2" + where
                + " ORDER BY seq LIMIT $" + p.size();
        return db.preparedQuery(sql).execute(p).map(EventStore::events);
    }

    /** The stored events among {@code seqs}, oldest first (the gap audit's look-up). */
    public Future<List<FeedEvent>> find(List<Long> seqs) {
        return db.preparedQuery("SELECT " + FeedEvent.COLUMNS + " FROM events WHERE seq = ANY($1) ORDER BY seq")
                .execute(Tuple.of(seqs.toArray(new Long[0])))
                .map(EventStore::events);
    }

    private static List<FeedEvent> events(RowSet<Row> rows) {
        List<FeedEvent> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(FeedEvent.of(r));
        }
        return out;
    }

    /** What a resume can rely on: the highest seq pruned so far and the last seq drawn. */
    public record Bounds(long prunedThrough, long lastAssigned) {}

    public Future<Bounds> bounds() {
        return db.preparedQuery(BOUNDS).execute().map(rows -> {
            Row r = rows.iterator().next();
            return new Bounds(r.getLong("pruned"), r.getLong("last"));
        });
    }
}
