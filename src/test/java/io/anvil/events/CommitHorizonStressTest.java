package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The commit horizon under many concurrent writers whose transactions commit out of order (each holds its
 * transaction open a random few milliseconds after drawing its number, some roll back): a reader that marks, observes
 * and reads in a loop, as {@link FeedReader} does, hands out every committed event exactly once, in order, and none
 * that rolled back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitHorizonStressTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int WRITERS = 12;
    private static final int TRANSACTIONS_PER_WRITER = 150;

    private Vertx vertx;
    private Pool writers;
    private Pool reader;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        DatabaseUrl url = TestServices.freshDatabase();
        writers = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(WRITERS))
                .connectingTo(url.connectOptions())
                .using(vertx)
                .build();
        reader = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(2))
                .connectingTo(url.connectOptions())
                .using(vertx)
                .build();
    }

    @AfterAll
    void close() {
        Conditions.result(writers.close(), WAIT);
        Conditions.result(reader.close(), WAIT);
        Conditions.result(vertx.close(), WAIT);
    }

    @Test
    void everyCommittedEventIsReadOnceAndInOrderWhileTransactionsCommitOutOfOrder() {
        Set<Long> committed = new ConcurrentSkipListSet<>();
        List<Future<Void>> writing = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writing.add(write(w, 0, committed));
        }
        Future<Void> allWritten = Future.all(writing).mapEmpty();

        EventStore store = new EventStore(reader);
        CommitHorizon horizon = new CommitHorizon(0);
        List<Long> read = new ArrayList<>();
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> readLoop(store, horizon, 0, read, allWritten, done));
        Conditions.result(done.future(), WAIT);

        List<Long> inOrder = new ArrayList<>(new TreeSet<>(read));
        assertEquals(inOrder, read, "read once each, in seq order");
        Set<Long> missing = new TreeSet<>(committed);
        missing.removeAll(read);
        Set<Long> extra = new TreeSet<>(read);
        extra.removeAll(committed);
        assertEquals(Set.of(), missing, "committed events the reader skipped");
        assertEquals(Set.of(), extra, "events read that were never committed");
        assertEquals(WRITERS * TRANSACTIONS_PER_WRITER - rolledBack(), committed.size());
    }

    private static int rolledBack() {
        int n = 0;
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < TRANSACTIONS_PER_WRITER; i++) {
                n += rollsBack(w, i) ? 1 : 0;
            }
        }
        return n;
    }

    private static boolean rollsBack(int writer, int i) {
        return (writer * 31 + i) % 17 == 0;
    }

    /** One writer's transactions, one after another: draw a number, stay open a moment, commit (or roll back). */
    private Future<Void> write(int writer, int i, Set<Long> committed) {
        if (i == TRANSACTIONS_PER_WRITER) {
            return Future.succeededFuture();
        }
        boolean rollback = rollsBack(writer, i);
        return writers.getConnection()
                .compose(conn -> conn.begin().compose(tx -> conn.preparedQuery(
                                "INSERT INTO events (event_type, priority, publisher, payload)"
                                        + " VALUES ('stress', 'info', 'stress', '{}') RETURNING seq")
                        .execute()
                        .compose(rows -> {
                            long seq = rows.iterator().next().getLong(0);
                            // hold the transaction open 0–4 ms, so commits overtake each other
                            return conn.preparedQuery("SELECT pg_sleep($1)")
                                    .execute(Tuple.of(((writer * 7 + i * 13) % 5) / 1000.0))
                                    .compose(x -> rollback ? tx.rollback() : tx.commit())
                                    .onSuccess(x -> {
                                        if (!rollback) {
                                            committed.add(seq);
                                        }
                                    });
                        })
                        .eventually(conn::close)))
                .compose(v -> write(writer, i + 1, committed));
    }

    /** FeedReader's loop: mark, observe, read up to the horizon; ends once the writers are done and all is read. */
    private void readLoop(
            EventStore store,
            CommitHorizon horizon,
            long cursor,
            List<Long> read,
            Future<Void> allWritten,
            Promise<Void> done) {
        boolean writersDone = allWritten.isComplete(); // before the mark: then the mark covers every number drawn
        store.mark()
                .compose(mark -> {
                    long settled = horizon.observe(mark.lastAssigned(), mark.inFlight());
                    boolean finished = writersDone && settled >= mark.lastAssigned();
                    if (settled <= cursor) {
                        return Future.succeededFuture(new long[] {cursor, finished ? 1 : 0});
                    }
                    return reader.preparedQuery("SELECT seq FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq")
                            .execute(Tuple.of(cursor, settled))
                            .map(rows -> {
                                for (Row r : rows) {
                                    read.add(r.getLong(0));
                                }
                                return new long[] {settled, finished ? 1 : 0};
                            });
                })
                .onComplete(ar -> {
                    if (ar.failed()) {
                        done.tryFail(ar.cause());
                    } else if (ar.result()[1] == 1) {
                        done.tryComplete();
                    } else {
                        readLoop(store, horizon, ar.result()[0], read, allWritten, done);
                    }
                });
    }
}
