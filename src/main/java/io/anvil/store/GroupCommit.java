package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group commit for single-statement writes that arrive in bursts (node edits through the API: each one fenced UPDATE
 * with its events, docs/architecture.md#an-api-request). Statements are grouped by their text: while {@code
 * maxInFlight} of one text are at PostgreSQL, the next ones wait, then go together as one batch — a Bind and Execute
 * per statement and a single Sync, which PostgreSQL runs as one implicit transaction with one commit and one WAL flush
 * for all of them (the flush per statement was ~16 % of PostgreSQL's CPU under the feed bench). A statement that finds
 * a free slot goes at once, so a quiet conductor adds no latency.
 *
 * <p>Each statement keeps its own outcome: a batch that PostgreSQL refuses (one statement's error aborts the whole
 * implicit transaction, so nothing of it was written) is run again statement by statement, each in its own
 * transaction, and every caller gets the result or error of its own statement. A batch whose connection failed is
 * not run again (its commit may have happened before the connection went): every statement of it fails with that
 * error, as each would have alone. Statements given here must be safe to run in one
 * transaction with others of the same text: a fenced write of one row, whose fence check (not row locks held across
 * statements) decides who wins.
 *
 * <p>Results complete on the caller's context, as the pool's own would.
 */
public final class GroupCommit {
    /** Distinct statement texts grouped; beyond it (texts built per request) statements run alone. */
    static final int LANES_LIMIT = 1024;

    private final Pool pool;
    private final int maxInFlight;
    private final int maxBatch;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * @param maxInFlight statements or batches of one text at PostgreSQL at once before the next ones wait to be
     *     batched
     * @param maxBatch statements per batch at most
     */
    public GroupCommit(Pool pool, int maxInFlight, int maxBatch) {
        if (maxInFlight < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxInFlight and maxBatch must be at least 1");
        }
        this.pool = pool;
        this.maxInFlight = maxInFlight;
        this.maxBatch = maxBatch;
    }

    /**
     * Runs {@code sql} with {@code params} as one autocommit statement, whose transaction and commit it may share with
     * others of the same text; its result or error is its own.
     */
    public Future<RowSet<Row>> execute(String sql, Tuple params) {
        Lane lane = lanes.get(sql);
        if (lane == null) {
            if (lanes.size() >= LANES_LIMIT) {
                return pool.preparedQuery(sql).execute(params);
            }
            lane = lanes.computeIfAbsent(sql, Lane::new);
        }
        ContextInternal context = ContextInternal.current();
        Pending p = new Pending(params, context != null ? context.promise() : Promise.promise());
        lane.submit(p);
        return p.result.future();
    }

    /** For tests and metrics: batches of more than one statement sent so far, over every text. */
    public long batches() {
        long n = 0;
        for (Lane l : lanes.values()) {
            n += l.batches;
        }
        return n;
    }

    /** For metrics: statements sent in those batches. */
    public long batched() {
        long n = 0;
        for (Lane l : lanes.values()) {
            n += l.batched;
        }
        return n;
    }

    /** Statements waiting for a batch, over every text (for tests and metrics). */
    public int waiting() {
        int n = 0;
        for (Lane l : lanes.values()) {
            synchronized (l) {
                n += l.waiting.size();
            }
        }
        return n;
    }

    private record Pending(Tuple params, Promise<RowSet<Row>> result) {}

    /** The statements of one text: how many are at PostgreSQL, and those waiting to go as the next batch. */
    private final class Lane {
        private final String sql;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private int inFlight;
        /** Written under the lane's lock, read by metrics without it. */
        private volatile long batches;

        private volatile long batched;

        Lane(String sql) {
            this.sql = sql;
        }

        void submit(Pending p) {
            synchronized (this) {
                if (inFlight >= maxInFlight) {
                    waiting.add(p);
                    return;
                }
                inFlight++;
            }
            send(List.of(p));
        }

        private void send(List<Pending> group) {
            if (group.size() == 1) {
                Pending p = group.get(0);
                pool.preparedQuery(sql).execute(p.params()).onComplete(ar -> {
                    p.result().handle(ar);
                    sent();
                });
                return;
            }
            List<Tuple> params = new ArrayList<>(group.size());
            group.forEach(p -> params.add(p.params()));
            pool.preparedQuery(sql).executeBatch(params).onComplete(ar -> {
                if (ar.succeeded()) {
                    RowSet<Row> rows = ar.result();
                    for (Pending p : group) {
                        p.result().complete(rows);
                        rows = rows.next();
                    }
                    sent();
                } else if (ar.cause() instanceof PgException) {
                    alone(group, 0); // PostgreSQL refused a statement and rolled the batch back: nothing written
                } else {
                    // the connection failed: the commit may have happened before it did, so nothing runs again
                    // (as a lone statement cut the same way is not retried, docs/scale-out.md#postgresql-restarts)
                    group.forEach(p -> p.result().fail(ar.cause()));
                    sent();
                }
            });
        }

        /** After a failed batch (nothing of it written): each statement on its own, one after the other. */
        private void alone(List<Pending> group, int i) {
            if (i == group.size()) {
                sent();
                return;
            }
            Pending p = group.get(i);
            pool.preparedQuery(sql).execute(p.params()).onComplete(ar -> {
                p.result().handle(ar);
                alone(group, i + 1);
            });
        }

        /** One statement or batch came back: the waiting ones go next, as one batch. */
        private void sent() {
            List<Pending> next;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    inFlight--;
                    return;
                }
                next = new ArrayList<>(Math.min(maxBatch, waiting.size()));
                while (next.size() < maxBatch && !waiting.isEmpty()) {
                    next.add(waiting.poll());
                }
                if (next.size() > 1) {
                    batches++; // under the lane's lock: batches of one text may be sent from two threads
                    batched += next.size();
                }
            }
            send(next);
        }
    }
}
