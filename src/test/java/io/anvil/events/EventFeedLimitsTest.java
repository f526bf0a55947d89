package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.metrics.PrometheusText;
import io.anvil.testsupport.Conditions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The feed's limits (docs/events.md#limits): a stalled subscriber is cut off with where to resume while another keeps
 * receiving, an EventSource-style SSE client reconnects by itself and misses nothing, connection limits answer 429
 * before the upgrade, and retention prunes so that a resume from before it is refused with 410.
 */
class EventFeedLimitsTest extends FeedTestBase {
    private static final int BUFFER = 20;
    /** The stalled subscriber's socket: 500 events of 64 KiB overflow it and the feed's buffer many times over. */
    private static final int STALLED_RECEIVE_BUFFER = 128 * 1024;

    private static final String BLOB = "x".repeat(64 * 1024);

    @Override
    protected Map<String, Object> config() {
        return Map.of(
                "feed.subscriber_buffer", BUFFER,
                "feed.max_connections_per_client", 3,
                "feed.retention_interval", 0,
                "feed.retention_max_events", 10,
                "conductor.node_history_max_entries", 2,
                "conductor.node_history_cleanup_interval", 0);
    }

    /**
     * {@code n} events of 64 KiB each for {@code node}, far more than the sockets buffer, in one transaction each,
     * each payload naming the node {@code name} (as a node event's payload does).
     */
    private void burst(String node, int n, String name) throws Exception {
        try (Connection c = jdbc()) {
            for (int i = 0; i < n; i++) {
                insertEvent(
                        c,
                        "baremetal.node.update.end",
                        node,
                        "info",
                        new JsonObject().put("i", i).put("name", name).put("blob", BLOB));
            }
        }
    }

    private static List<Integer> indexes(List<JsonObject> events) {
        return events.stream()
                .filter(e -> e.getJsonObject("payload").containsKey("i"))
                .map(e -> e.getJsonObject("payload").getInteger("i"))
                .toList();
    }

    private static List<Integer> upTo(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private int open() {
        return anvil.anvil().feed().hub().openConnections();
    }

    private PrometheusText metrics() {
        Resp r = get("/metrics");
        assertEquals(200, r.status(), () -> r.body().toString());
        return PrometheusText.parse(r.body().toString());
    }

    private static double ws(PrometheusText m, String series) {
        return m.value(series, "transport", "websocket");
    }

    @Test
    void aStalledSubscriberIsCutOffWithWhereToResumeWhileAnotherKeepsReceiving() throws Exception {
        String node = createNode("stall-1", null);
        String other = createNode("stall-2", null);
        PrometheusText start = metrics();
        double subscribersBefore = ws(start, "anvil_feed_subscribers");
        FeedTestClient stalled =
                FeedTestClient.connectWithReceiveBuffer(vertx, anvil.port(), "node=" + node, STALLED_RECEIVE_BUFFER);
        // the healthy one follows another node whose small events are interleaved with the burst: it is served by
        // the same feed at the same time, and nothing it is sent can make it lag a whole buffer behind
        FeedTestClient healthy = subscribe("node=" + other);
        Conditions.await(
                vertx,
                "the two subscribers counted",
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> ws(metrics(), "anvil_feed_subscribers") == subscribersBefore + 2);
        PrometheusText m0 = metrics();
        int before = open();
        stalled.stall();
        int n = 500;
        int small = n / 5;
        try (Connection c = jdbc()) {
            for (int i = 0; i < n; i++) {
                insertEvent(
                        c,
                        "baremetal.node.update.end",
                        node,
                        "info",
                        new JsonObject().put("i", i).put("blob", BLOB));
                if (i % 5 == 4) {
                    insertEvent(c, "baremetal.node.update.end", other, "info", new JsonObject().put("i", i / 5));
                }
            }
        }
        Conditions.await(
                vertx,
                "the server closing the stalled subscriber on its own",
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> open() == before - 1);
        healthy.awaitEvents(small, e -> e.getJsonObject("payload").containsKey("i"), "the other node's events");
        assertEquals(upTo(small), indexes(healthy.events()));
        assertTrue(healthy.controls().isEmpty(), () -> "the healthy one was left alone: " + healthy.controls());
        // the feed's metrics: one cut-off with what it had buffered dropped, the events delivered, one subscriber less
        PrometheusText m1 = metrics();
        assertEquals(1, ws(m1, "anvil_feed_cutoffs_total") - ws(m0, "anvil_feed_cutoffs_total"));
        assertTrue(
                ws(m1, "anvil_feed_events_dropped_total") - ws(m0, "anvil_feed_events_dropped_total") > BUFFER,
                "the stalled subscriber's full buffer was dropped");
        assertTrue(
                ws(m1, "anvil_feed_events_sent_total") - ws(m0, "anvil_feed_events_sent_total") >= small,
                "the healthy subscriber's events were counted");
        assertEquals(subscribersBefore + 1, ws(m1, "anvil_feed_subscribers"));
        stalled.resumeReading();
        JsonObject closing = stalled.awaitControl("closing");
        stalled.awaitClosed();
        assertEquals((short) 1008, stalled.closeStatus());
        assertEquals(
                "subscriber too slow: buffer of " + BUFFER + " events full",
                closing.getString("reason"),
                closing::encode);
        long resumeFrom = closing.getLong("resume_from");
        List<JsonObject> got = stalled.events();
        assertTrue(got.size() < n, "it was cut off before the end: " + got.size());
        if (!got.isEmpty()) {
            assertEquals(got.get(got.size() - 1).getLong("seq"), resumeFrom, "resume_from is the last event sent");
        }
        FeedTestClient resumed = subscribe("node=" + node + "&since=" + resumeFrom);
        int missing = n - indexes(got).size();
        resumed.awaitEvents(missing, e -> e.getJsonObject("payload").containsKey("i"), "the rest after resuming");
        List<JsonObject> all = new ArrayList<>(got);
        all.addAll(resumed.events());
        assertEquals(upTo(n), indexes(all), "nothing lost, nothing twice");
        healthy.close();
        resumed.close();
        stalled.close();
    }

    @Test
    void anEventSourceClientReconnectsByItselfWithLastEventIdAndGetsEverything() throws Exception {
        int before = open();
        try (EventSourceClient sse = new EventSourceClient(vertx, anvil.port(), "/v1/events?node=sse-1")) {
            Conditions.await(
                    vertx, "the stream open", FeedTestClient.WAIT, Duration.ofMillis(20), () -> open() == before + 1);
            String node = createNode("sse-1", null);
            Conditions.await(
                    vertx,
                    "the node's create event",
                    FeedTestClient.WAIT,
                    Duration.ofMillis(20),
                    () -> sse.messages().size() == 1);
            sse.stall();
            int n = 300;
            burst(node, n, "sse-1");
            Conditions.await(
                    vertx,
                    "the server ending the stalled stream",
                    FeedTestClient.WAIT,
                    Duration.ofMillis(20),
                    () -> open() == before);
            sse.unstall();
            Conditions.await(
                    vertx,
                    "every event, across the reconnection",
                    FeedTestClient.WAIT,
                    Duration.ofMillis(20),
                    () -> indexes(sse.messages()).size() >= n);
            assertEquals(upTo(n), indexes(sse.messages()), "nothing lost, nothing twice");
            assertTrue(sse.connections() >= 2, "it reconnected: " + sse.connections());
            JsonObject closing = sse.named().get(0);
            assertEquals("closing", closing.getString("control"));
            assertTrue(closing.getString("reason").contains("too slow"), closing::encode);
            List<Long> seqs = sse.messages().stream().map(e -> e.getLong("seq")).toList();
            assertEquals(seqs.stream().sorted().distinct().toList(), seqs, "in seq order");
        }
    }

    @Test
    void connectionLimitsAre429BeforeTheUpgrade() {
        int before = open();
        List<FeedTestClient> three = new ArrayList<>();
        for (int i = 0; i < 3 - before; i++) {
            three.add(subscribe(""));
        }
        Throwable refused = FeedTestClient.refused(vertx, anvil.port(), "");
        assertTrue(refused instanceof UpgradeRejectedException, refused.toString());
        assertEquals(429, ((UpgradeRejectedException) refused).getStatus());
        Resp sse = call(HttpMethod.GET, "/v1/events", null, Map.of("Accept", "text/event-stream"));
        assertEquals(429, sse.status());
        assertTrue(sse.fault().contains("feed.max_connections_per_client = 3"), sse.fault());
        // the JSON page is a plain request, not a connection of the feed
        assertEquals(200, get("/v1/events?limit=1").status());
        three.get(0).close();
        Conditions.await(
                vertx, "the closed connection released", FeedTestClient.WAIT, Duration.ofMillis(20), () -> open() == 2);
        FeedTestClient again = subscribe("");
        again.close();
        three.forEach(FeedTestClient::close);
    }

    @Test
    void retentionPrunesAndAResumeFromBeforeItIsRefusedWith410() throws Exception {
        String node = createNode("retention-1", null);
        try (Connection c = jdbc()) {
            for (int i = 0; i < 30; i++) {
                insertEvent(c, "baremetal.node.update.end", node, "info", new JsonObject().put("r", i));
            }
        }
        long last;
        try (Connection c = jdbc();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(seq) FROM events")) {
            rs.next();
            last = rs.getLong(1);
        }
        Conditions.await(
                vertx,
                "the feed past the inserts",
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> horizon() >= last);
        long pruned = FeedTestClient.get(anvil.anvil().feed().retention().pruneEvents());
        assertTrue(pruned > 0, "pruned " + pruned);
        long kept;
        long prunedThrough;
        try (Connection c = jdbc();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM events),"
                        + " (SELECT pruned_through FROM event_retention), (SELECT min(seq) FROM events)")) {
            rs.next();
            kept = rs.getLong(1);
            prunedThrough = rs.getLong(2);
            assertTrue(rs.getLong(3) > prunedThrough, "nothing at or below the mark is left");
        }
        assertEquals(10, kept, "feed.retention_max_events");

        Resp page = get("/v1/events?since=1");
        assertEquals(410, page.status());
        assertTrue(page.fault().contains("GET /v1/nodes"), page.fault());
        assertTrue(page.fault().contains("without 'since'"), page.fault());
        Throwable ws = FeedTestClient.refused(vertx, anvil.port(), "since=1");
        assertEquals(410, ((UpgradeRejectedException) ws).getStatus());
        Resp sse =
                call(HttpMethod.GET, "/v1/events", null, Map.of("Accept", "text/event-stream", "Last-Event-ID", "1"));
        assertEquals(410, sse.status());
        assertEquals(410, get("/v1/events?since=" + (last + 1_000_000)).status(), "a seq this feed never had");
        // from the mark on, everything kept is there
        JsonObject ok = get("/v1/events?since=" + prunedThrough + "&limit=1000").json();
        assertEquals(kept, ok.getJsonArray("events").size());

        // node history: Ironic's node_history_max_entries per node, newest kept
        try (Connection c = jdbc();
                PreparedStatement ps = c.prepareStatement("INSERT INTO node_history (uuid, node_id, conductor,"
                        + " event_type, severity, event, created_at) SELECT gen_random_uuid(), id, 'c', 'provisioning',"
                        + " 'ERROR', ?, now() - make_interval(secs => ?) FROM nodes WHERE uuid = ?::uuid")) {
            for (int i = 0; i < 5; i++) {
                ps.setString(1, "error " + i);
                ps.setInt(2, 100 - i);
                ps.setString(3, node);
                ps.executeUpdate();
            }
        }
        FeedTestClient.get(anvil.anvil().feed().retention().pruneHistory());
        JsonObject history = get("/v1/nodes/" + node + "/history").json();
        assertEquals(
                List.of("error 3", "error 4"),
                history.getJsonArray("history").stream()
                        .map(h -> ((JsonObject) h).getString("event"))
                        .sorted()
                        .toList());
    }
}
