package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.anvil.agent.AgentMetrics;
import io.anvil.events.FeedTestClient;
import io.vertx.core.json.JsonObject;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The liveness flush's {@code baremetal.node.heartbeat} events (docs/events.md#event-types, docs/agent.md): at most
 * one per node per {@code agent.heartbeat_event_interval}, written by the flush's own statement and delivered by the
 * event feed. Liveness is flushed by hand (the periodic flush is an hour apart), so the test knows every heartbeat
 * time that was written and can tell exactly which of them had to make an event.
 */
class AgentHeartbeatEventTest extends AgentTestSupport {
    private static final long INTERVAL_MICROS = 500_000;
    private static final String TYPE = io.anvil.agent.LivenessCoalescer.HEARTBEAT_EVENT;
    private static final String OTHER_URL = "http://10.0.0.6:9999";

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("agent.liveness_flush_interval", 3600.0, "agent.heartbeat_event_interval", 0.5);
    }

    private AgentMetrics metrics() {
        return anvil.agent().metrics();
    }

    /** One flushed heartbeat of the node: its agent_last_heartbeat as written, and the version it reported. */
    private record Written(String at, String version) {}

    @Test
    void aHeartbeatingNodeGetsOneEventPerIntervalThroughTheFeed() {
        String uuid = createNode("wait call-back");
        String other = createNode("wait call-back"); // heartbeats in the same batches: its events are its own
        sql("UPDATE nodes SET owner = 'project-a', lessee = 'project-b' WHERE uuid = ?", uuid);
        setAgent(uuid, "tok-live", null);
        setAgent(other, "tok-other", null);
        String url = "http://agent:s3cret@10.0.0.5:9999";
        try (FeedTestClient feed = FeedTestClient.connect(vertx, anvil.apiPort(), "?type=" + TYPE + "&node=" + uuid)) {
            feed.send(new JsonObject().put("ping", 1));
            feed.awaitControl("pong"); // live from here on
            long rows = metrics().rowsWritten();
            long emitted = metrics().heartbeatEvents();
            List<Written> written = new ArrayList<>();
            waitUntil("three heartbeat events of the node in the feed", () -> {
                String version = "9.1." + written.size();
                assertEquals(
                        202,
                        heartbeat(uuid, "1.68", hb(url, "tok-live", version)).status());
                assertEquals(
                        202,
                        heartbeat(other, "1.68", hb(OTHER_URL, "tok-other", "1"))
                                .status());
                flushLiveness();
                written.add(new Written(internal(uuid).getString("agent_last_heartbeat"), version));
                return feed.events().size() >= 3;
            });
            assertEquals(2L * written.size(), metrics().rowsWritten() - rows, "every flush wrote both rows");

            // the heartbeats that had to make an event: the first, then each one at least an interval after the last
            // one that did
            List<Written> due = new ArrayList<>();
            for (Written w : written) {
                if (due.isEmpty()
                        || micros(w.at()) - micros(due.get(due.size() - 1).at()) >= INTERVAL_MICROS) {
                    due.add(w);
                }
            }
            System.out.println("heartbeat events: " + due.size() + " of " + written.size() + " flushed heartbeats");
            assertEquals(due, reported(heartbeatEvents(uuid)), "one per interval of " + written.size() + " heartbeats");
            List<JsonObject> received = feed.awaitEvents(due.size(), e -> true, "every stored heartbeat event");
            assertEquals(
                    due,
                    reported(received.stream()
                            .map(e -> e.getJsonObject("payload"))
                            .toList()));
            assertEquals(
                    due.size() + heartbeatEvents(other).size(),
                    metrics().heartbeatEvents() - emitted,
                    "the other node's events are its own");

            JsonObject event = received.get(0);
            assertEquals(TYPE, event.getString("event_type"));
            assertEquals("info", event.getString("level"));
            assertEquals(uuid, event.getString("node_uuid"));
            assertEquals(
                    rows("SELECT name FROM nodes WHERE uuid = ?", uuid).get(0).get("name"),
                    event.getString("node_name"));
            JsonObject payload = event.getJsonObject("payload");
            assertEquals(uuid, payload.getString("uuid"));
            assertEquals("project-a", payload.getString("owner"));
            assertEquals("project-b", payload.getString("lessee"));
            assertEquals("", payload.getString("conductor_group"));
            assertEquals("http://******@10.0.0.5:9999", payload.getString("agent_url"), "user info masked");
            assertFalse(payload.encode().contains("s3cret") || payload.encode().contains("tok-live"), payload::encode);
        }
    }

    @Test
    void aHeartbeatWhoseTokenWasReissuedMakesNoEvent() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "old-token", null);
        assertEquals(
                202, heartbeat(uuid, "1.68", hb(OTHER_URL, "old-token", "1")).status());
        setAgent(uuid, "new-token", null); // re-issued before the batch is written
        long skipped = metrics().rowsSkipped();
        flushLiveness();
        assertEquals(skipped + 1, metrics().rowsSkipped());
        assertEquals(List.of(), heartbeatEvents(uuid));
        assertNull(rows("SELECT heartbeat_event_at::text AS t FROM nodes WHERE uuid = ?", uuid)
                .get(0)
                .get("t"));
    }

    private List<JsonObject> heartbeatEvents(String uuid) {
        return events(uuid).stream()
                .filter(e -> TYPE.equals(e.get("event_type")))
                .map(e -> (JsonObject) e.get("payload"))
                .toList();
    }

    private static List<Written> reported(List<JsonObject> payloads) {
        return payloads.stream()
                .map(p -> new Written(p.getString("agent_last_heartbeat"), p.getString("agent_version")))
                .toList();
    }

    /** Ironic's naive-UTC isoformat, as microseconds since the epoch. */
    private static long micros(String isoformat) {
        return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), LocalDateTime.parse(isoformat));
    }
}
