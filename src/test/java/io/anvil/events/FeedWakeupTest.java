package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cross-conductor wake-up (docs/events.md#across-conductors): one NOTIFY covers every commit of its interval, and
 * a process is not woken by its own notifications — only by other processes'.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedWakeupTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private Vertx vertx;
    private DatabaseUrl url;
    private Pool pool;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        url = TestServices.freshDatabase();
        pool = PgBuilder.pool().connectingTo(url.connectOptions()).using(vertx).build();
    }

    @AfterAll
    void close() {
        Conditions.result(pool.close(), WAIT);
        Conditions.result(vertx.close(), WAIT);
    }

    /** A second process's view of the channel: every notification's payload, in order. */
    private List<String> listen() {
        List<String> seen = new CopyOnWriteArrayList<>();
        PgSubscriber other = PgSubscriber.subscriber(vertx, url.connectOptions());
        AtomicInteger subscribed = new AtomicInteger();
        other.channel(FeedWakeup.CHANNEL).handler(seen::add).subscribeHandler(v -> subscribed.incrementAndGet());
        Conditions.result(other.connect(), WAIT);
        Conditions.await(vertx, "the listener subscribed", WAIT, Duration.ofMillis(10), () -> subscribed.get() > 0);
        return seen;
    }

    private void notifyAs(String payload) {
        Conditions.result(
                pool.query("NOTIFY " + FeedWakeup.CHANNEL + ", '" + payload + "'")
                        .execute(),
                WAIT);
    }

    @Test
    void commitsOfOneIntervalShareOneNotificationThatNamesItsSender() {
        List<String> seen = listen();
        AtomicInteger localWakes = new AtomicInteger();
        FeedWakeup wakeup =
                new FeedWakeup(vertx, pool, url.connectOptions(), localWakes::incrementAndGet, Duration.ofHours(1));
        for (int i = 0; i < 50; i++) {
            wakeup.committed();
        }
        assertEquals(50, localWakes.get(), "every commit wakes this process's own reader at once");
        Conditions.await(vertx, "the first notification", WAIT, Duration.ofMillis(10), () -> !seen.isEmpty());
        // anything the wake-up sent after the first would be delivered before this marker (one sender, one channel)
        notifyAs("marker");
        Conditions.await(vertx, "the marker", WAIT, Duration.ofMillis(10), () -> seen.contains("marker"));
        assertEquals(2, seen.size(), "one notification for 50 commits of one interval, then the marker: " + seen);
        assertFalse(seen.get(0).isBlank(), "the notification names its sender");
        assertNotEquals("marker", seen.get(0));
    }

    @Test
    void aProcessIsWokenByOtherProcessesNotificationsOnlyNotByItsOwn() {
        AtomicInteger wakes = new AtomicInteger();
        FeedWakeup wakeup = new FeedWakeup(vertx, pool, url.connectOptions(), wakes::incrementAndGet, Duration.ZERO);
        List<String> seen = listen();
        Conditions.result(wakeup.start(), WAIT);
        // subscribing wakes once (events may have been missed while not listening)
        Conditions.await(vertx, "the wake on subscribe", WAIT, Duration.ofMillis(10), () -> wakes.get() == 1);

        wakeup.committed(); // one local wake, and a NOTIFY that this process must ignore when it comes back
        Conditions.await(vertx, "its own notification", WAIT, Duration.ofMillis(10), () -> seen.size() == 1);
        String own = seen.get(0);
        notifyAs("another-conductor");
        Conditions.await(vertx, "the other's notification", WAIT, Duration.ofMillis(10), () -> seen.size() == 2);
        // notifications reach every listener in commit order: the own one was handled before the other's
        Conditions.await(vertx, "the wake by the other", WAIT, Duration.ofMillis(10), () -> wakes.get() >= 3);
        assertEquals(3, wakes.get(), "subscribe + own commit + the other's notification, not its own (" + own + ")");
        Conditions.result(wakeup.stop(), WAIT);
    }
}
