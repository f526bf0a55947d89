package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.config.AnvilConfig;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.FeedMetrics;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.FreshDatabaseTest;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The feed's mark reads the last number drawn, and the gap audit (docs/events.md#the-gap-audit) reports an event that
 * was committed after the feed had passed its number, while a number left unused by a rollback stays quiet.
 */
class FeedGapAuditTest extends FreshDatabaseTest {
    private static final Duration TICK = Duration.ofMillis(20);
    private static final String INSERT = "INSERT INTO events (event_type, priority, publisher, payload)"
            + " VALUES ('baremetal.node.update.end', 'info', 'anvil-conductor.test', '{}') RETURNING seq";

    @Test
    void theMarkReadsTheLastNumberDrawnAndNoneBeforeTheFirst() {
        EventStore store = new EventStore(db.reads());
        assertEquals(0, await(store.mark()).lastAssigned(), "nothing drawn yet");
        assertEquals(0, await(store.bounds()).lastAssigned(), "nothing drawn yet");
        long first = insert();
        long drawn = nextval();
        assertEquals(first + 1, drawn);
        assertEquals(drawn, await(store.mark()).lastAssigned());
        assertEquals(drawn, await(store.bounds()).lastAssigned());
    }

    @Test
    void anEventCommittedAfterTheFeedPassedItsNumberIsReportedAndARolledBackNumberIsNot() {
        FeedSettings settings =
                FeedSettings.from(AnvilConfig.of(Map.of("feed.audit_delay", 5.0, "feed.poll_interval", 0.05)));
        AtomicLong clock = new AtomicLong();
        AtomicInteger missed = new AtomicInteger();
        FeedHub hub = new FeedHub(vertx, settings);
        FeedReader reader = new FeedReader(new EventStore(db.reads()), hub, settings, counting(missed), clock::get);
        await(vertx.deployVerticle(reader));
        await(reader.ready());

        long rolledBack = insertAndRollBack();
        // a number drawn by nextval() alone takes no transaction id, so the horizon cannot wait for whoever writes it
        // later: the event written below with that number is what a horizon that skipped a transaction would leave
        long skipped = nextval();
        long committed = insert();
        reader.wake();
        Conditions.eventually(vertx, "the feed passes " + committed, TICK, () -> hub.horizon() >= committed);
        insertWithSeq(skipped);

        clock.addAndGet(settings.auditDelay().toNanos()); // the made-up clock reaches both holes' hold
        Conditions.eventually(
                vertx, "holes " + rolledBack + " and " + skipped, TICK, () -> reader.holesLookedUp() >= 2);
        assertEquals(1, missed.get(), "only the event written after the feed passed " + skipped);
    }

    /** The no-op metrics, counting the events the audit reports missed. */
    private static FeedMetrics counting(AtomicInteger missed) {
        FeedMetrics quiet = AnvilMetrics.noop().feed();
        return new FeedMetrics() {
            @Override
            public Transport transport(String name) {
                return quiet.transport(name);
            }

            @Override
            public void missed(int events) {
                missed.addAndGet(events);
            }
        };
    }

    private long insert() {
        return single(await(db.pool().query(INSERT).execute()).iterator().next());
    }

    private long nextval() {
        return single(await(db.pool().query("SELECT nextval('events_seq_seq')").execute())
                .iterator()
                .next());
    }

    private void insertWithSeq(long seq) {
        await(db.pool()
                .preparedQuery("INSERT INTO events (seq, event_type, priority, publisher, payload)"
                        + " VALUES ($1, 'baremetal.node.update.end', 'info', 'anvil-conductor.test', '{}')")
                .execute(Tuple.of(seq)));
    }

    private long insertAndRollBack() {
        List<Long> seq = new ArrayList<>();
        await(db.pool().getConnection().compose(conn -> conn.begin()
                .compose(tx -> conn.query(INSERT)
                        .execute()
                        .onSuccess(rows -> seq.add(single(rows.iterator().next())))
                        .compose(rows -> tx.rollback()))
                .eventually(((SqlConnection) conn)::close)));
        return seq.get(0);
    }

    private static long single(Row row) {
        return row.getLong(0);
    }
}
