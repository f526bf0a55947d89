package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.metrics.AnvilMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SubscriberGroup's per-node index (docs/events.md#backpressure-and-limits): an event is offered only to the
 * subscribers without a node filter and to those naming its node (by uuid or name), each gets exactly what its
 * filters pass, in seq order, and a new subscribe message re-indexes. In memory: the delivery path of one event
 * loop, with sinks that record what they were sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubscriberGroupIndexTest {
    private static final String N1 = "11111111-1111-1111-1111-111111111111";
    private static final String N2 = "22222222-2222-2222-2222-222222222222";
    private static final String N3 = "33333333-3333-3333-3333-333333333333";
    private static final FeedSettings SETTINGS = settings(Duration.ofSeconds(30));

    /** Test settings with this keep-alive interval and no idle timeout. */
    private static FeedSettings settings(Duration keepalive) {
        return new FeedSettings(
                100,
                keepalive,
                Duration.ZERO,
                10,
                100,
                Duration.ofSeconds(1),
                Duration.ZERO,
                100,
                Duration.ZERO,
                Duration.ZERO,
                0,
                0,
                Duration.ZERO,
                1,
                0);
    }

    private Vertx vertx;
    private long seq;

    @BeforeAll
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    void close() {
        io.anvil.testsupport.Conditions.result(vertx.close(), Duration.ofSeconds(30));
    }

    /** A sink that takes everything at once and records the seqs. */
    static class Recording implements FeedSink {
        final List<Long> seqs = new ArrayList<>();

        @Override
        public void send(FeedEvent event) {
            seqs.add(event.seq());
        }

        @Override
        public void control(JsonObject message) {}

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public void drainHandler(Runnable onDrain) {}

        @Override
        public void ping() {}

        @Override
        public void close(int code) {}

        @Override
        public boolean hearsClient() {
            return false;
        }

        @Override
        public String transport() {
            return "websocket";
        }
    }

    /** Counts the keep-alive pings it was sent. */
    static final class Pinged extends Recording {
        int pings;

        @Override
        public void ping() {
            pings++;
        }
    }

    /** A socket that fails on its second event, as a WebSocket that broke under the server can. */
    static final class Breaking extends Recording {
        final List<JsonObject> controls = new ArrayList<>();
        Integer closedWith;

        @Override
        public void send(FeedEvent event) {
            if (seqs.size() == 1) {
                throw new IllegalStateException("WebSocket is closed");
            }
            super.send(event);
        }

        @Override
        public void control(JsonObject message) {
            controls.add(message);
        }

        @Override
        public void close(int code) {
            closedWith = code;
        }
    }

    private SubscriberGroup group() {
        SubscriberGroup g = new SubscriberGroup(vertx, vertx.getOrCreateContext(), SETTINGS, Future.succeededFuture());
        g.startFrom(0);
        return g;
    }

    private Subscriber join(SubscriberGroup g, Recording sink, FeedFilter filter) {
        Subscriber s = new Subscriber(
                sink, null, SETTINGS, filter, "test", AnvilMetrics.noop().feed().transport("websocket"), () -> {});
        s.start(g, null);
        return s;
    }

    private static FeedFilter nodes(String... nodes) {
        return FeedFilter.of(List.of(nodes), null, null, null, null);
    }

    /** A node event (its payload names the node) or, with a null node, an event of no node. */
    private FeedEvent event(String type, String node, String name) {
        return new FeedEvent(
                ++seq,
                type,
                "info",
                node,
                "c1",
                OffsetDateTime.now(),
                name == null
                        ? new JsonObject()
                        : new JsonObject().put("name", name).put("node_name", name));
    }

    /**
     * Subscribers that connect together are not all pinged in one turn: each one's first keep-alive falls at a random
     * point of its second interval, then one per interval.
     */
    @Test
    void keepAlivesOfSubscribersThatJoinedTogetherAreSpreadOverAnInterval() {
        long keepalive = SETTINGS.keepalive().toNanos();
        long t0 = System.nanoTime();
        SubscriberGroup g = group();
        List<Pinged> sinks = new ArrayList<>();
        List<Subscriber> subs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Pinged sink = new Pinged();
            sinks.add(sink);
            subs.add(join(g, sink, nodes()));
        }
        long joined = System.nanoTime();
        subs.forEach(s -> s.keepAlive(t0 + keepalive - 1));
        assertEquals(0, sinks.stream().mapToInt(p -> p.pings).sum(), "none within the first interval");
        subs.forEach(s -> s.keepAlive(joined + keepalive + keepalive / 2));
        long firstHalf = sinks.stream().filter(p -> p.pings == 1).count();
        org.junit.jupiter.api.Assertions.assertTrue(
                firstHalf > 0 && firstHalf < 200, "some, not all, are due halfway: " + firstHalf);
        long end = joined + 2 * keepalive;
        subs.forEach(s -> s.keepAlive(end));
        assertEquals(List.of(1), sinks.stream().map(p -> p.pings).distinct().toList(), "each once by the end");
        subs.forEach(s -> s.keepAlive(end + keepalive / 4));
        assertEquals(List.of(1), sinks.stream().map(p -> p.pings).distinct().toList(), "no second within one interval");
        subs.forEach(s -> s.keepAlive(end + keepalive));
        assertEquals(List.of(2), sinks.stream().map(p -> p.pings).distinct().toList(), "then one per interval");
    }

    @Test
    void eachSubscriberGetsWhatItsFiltersPassInOrderAndOnlyTheInterestedAreOffered() {
        SubscriberGroup g = group();
        Recording all = new Recording();
        Recording byUuid = new Recording();
        Recording byName = new Recording();
        Recording byBoth = new Recording();
        Recording byUuidAndType = new Recording();
        join(g, all, nodes());
        join(g, byUuid, nodes(N1));
        join(g, byName, nodes("node-two"));
        join(g, byBoth, nodes(N1, "node-one", "node-two"));
        join(g, byUuidAndType, FeedFilter.of(List.of(N3), List.of("baremetal.port.*"), null, null, null));

        FeedEvent e1 = event("baremetal.node.update.end", N1, "node-one");
        FeedEvent e2 = event("baremetal.node.update.end", N2, "node-two");
        FeedEvent e3 = event("baremetal.port.create.end", N3, "node-three");
        FeedEvent e4 = event("baremetal.node.update.end", N3, "node-three");
        FeedEvent e5 = event("baremetal.allocation.create.end", null, null);
        FeedEvent e6 = event("baremetal.port.update.end", N1, "node-one");
        g.deliver(List.of(e1, e2, e3, e4, e5));
        g.deliver(List.of(e6));

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), all.seqs);
        assertEquals(List.of(1L, 6L), byUuid.seqs);
        assertEquals(List.of(2L), byName.seqs);
        assertEquals(List.of(1L, 2L, 6L), byBoth.seqs, "once each, though the filter names node one twice");
        assertEquals(List.of(3L), byUuidAndType.seqs);

        // the index: the unfiltered subscriber plus those naming the node
        assertEquals(3, g.audience(e1));
        assertEquals(3, g.audience(e2));
        assertEquals(2, g.audience(e4));
        assertEquals(1, g.audience(e5));
    }

    @Test
    void aNewSubscribeMessageReindexesAndALeavingSubscriberIsForgotten() {
        SubscriberGroup g = group();
        Recording sink = new Recording();
        Subscriber s = join(g, sink, nodes(N1));
        Recording other = new Recording();
        Subscriber gone = join(g, other, nodes(N2));
        g.deliver(List.of(event("baremetal.node.update.end", N1, "a"), event("baremetal.node.update.end", N2, "b")));
        long before = seq;
        assertEquals(before, s.position(), "a live subscriber with nothing queued is at the group's delivery");

        s.filter(nodes(N2));
        gone.gone();
        FeedEvent forN1 = event("baremetal.node.update.end", N1, "a");
        FeedEvent forN2 = event("baremetal.node.update.end", N2, "b");
        assertEquals(0, g.audience(forN1));
        assertEquals(1, g.audience(forN2));
        g.deliver(List.of(forN1, forN2));
        assertEquals(List.of(before - 1, seq), sink.seqs);
        assertEquals(List.of(before), other.seqs);

        s.filter(nodes());
        FeedEvent any = event("baremetal.node.update.end", N3, "c");
        assertEquals(1, g.audience(any));
        g.deliver(List.of(any));
        assertEquals(List.of(before - 1, seq - 1, seq), sink.seqs);
        assertEquals(1, g.size());
    }

    @Test
    void aSubscriberWhoseSocketFailsIsClosedWithWhereToResumeAndTheOthersOfItsLoopStillGetTheBatch() {
        SubscriberGroup g = group();
        Recording before = new Recording();
        Breaking breaking = new Breaking();
        Recording after = new Recording();
        Recording watcher = new Recording();
        join(g, before, nodes());
        join(g, breaking, nodes());
        join(g, after, nodes());
        join(g, watcher, nodes(N1));
        long s1 = seq + 1;
        List<Long> all = List.of(s1, s1 + 1, s1 + 2, s1 + 3);

        g.deliver(List.of(
                event("baremetal.node.update.end", N1, "a"),
                event("baremetal.node.update.end", N1, "a"),
                event("baremetal.node.update.end", N1, "a")));
        g.deliver(List.of(event("baremetal.node.update.end", N1, "a")));

        assertEquals(all, before.seqs);
        assertEquals(all, after.seqs, "served after the one that failed, in the same batch");
        assertEquals(all, watcher.seqs);
        assertEquals(List.of(s1), breaking.seqs);
        assertEquals(1011, breaking.closedWith);
        JsonObject closing = breaking.controls.get(0);
        assertEquals("closing", closing.getString("control"));
        assertEquals(
                s1, closing.getLong("resume_from"), "resumes after the last event it was sent, not the batch's end");
        assertEquals(3, g.size(), "the failed subscriber left its group");
    }

    /** Counts pings from the group's own timer (its event loop, not the test's thread). */
    static final class TimedPings extends Recording {
        final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void ping() {
            pings.incrementAndGet();
        }
    }

    /**
     * The group's timer wheel pings every subscriber again and again, each in its own slot, and a subscriber that
     * left the group is never pinged again.
     */
    @Test
    void theTimerWheelKeepsPingingEverySubscriberAndForgetsOnesThatLeft() {
        FeedSettings fast = settings(Duration.ofMillis(200));
        io.vertx.core.Context loop = vertx.getOrCreateContext();
        SubscriberGroup g = new SubscriberGroup(vertx, loop, fast, Future.succeededFuture());
        List<TimedPings> sinks = new ArrayList<>();
        List<Subscriber> subs = new ArrayList<>();
        io.vertx.core.Promise<Void> joined = io.vertx.core.Promise.promise();
        loop.runOnContext(v -> {
            g.startFrom(0);
            for (int i = 0; i < 100; i++) {
                TimedPings sink = new TimedPings();
                sinks.add(sink);
                Subscriber sub = new Subscriber(
                        sink,
                        null,
                        fast,
                        nodes(),
                        "test",
                        AnvilMetrics.noop().feed().transport("websocket"),
                        () -> {});
                sub.start(g, null);
                subs.add(sub);
            }
            g.startTimers();
            joined.complete();
        });
        io.anvil.testsupport.Conditions.result(joined.future(), Duration.ofSeconds(30));
        try {
            io.anvil.testsupport.Conditions.await(
                    vertx,
                    "every subscriber pinged twice",
                    Duration.ofSeconds(60),
                    Duration.ofMillis(20),
                    () -> sinks.stream().allMatch(p -> p.pings.get() >= 2));
            io.vertx.core.Promise<Integer> left = io.vertx.core.Promise.promise();
            loop.runOnContext(v -> {
                subs.get(0).gone();
                left.complete(sinks.get(0).pings.get());
            });
            int atLeaving = io.anvil.testsupport.Conditions.result(left.future(), Duration.ofSeconds(30));
            int others = sinks.get(1).pings.get();
            io.anvil.testsupport.Conditions.await(
                    vertx,
                    "the others pinged three more times",
                    Duration.ofSeconds(60),
                    Duration.ofMillis(20),
                    () -> sinks.stream().skip(1).allMatch(p -> p.pings.get() >= others + 3));
            assertEquals(atLeaving, sinks.get(0).pings.get(), "no keep-alive after leaving the group");
            io.vertx.core.Promise<List<Integer>> sizes = io.vertx.core.Promise.promise();
            loop.runOnContext(v -> sizes.complete(List.of(g.size(), g.onWheel())));
            assertEquals(
                    List.of(99, 99),
                    io.anvil.testsupport.Conditions.result(sizes.future(), Duration.ofSeconds(30)),
                    "in the group and on its wheel");
        } finally {
            loop.runOnContext(v -> g.stopTimers());
        }
    }
}
