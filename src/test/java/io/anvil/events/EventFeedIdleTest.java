package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/events.md#limits: a WebSocket client that answers nothing (not even the keep-alive pings) for
 * {@code feed.idle_timeout} is closed with a reason; one that answers stays.
 */
class EventFeedIdleTest extends FeedTestBase {
    @Override
    protected Map<String, Object> config() {
        return Map.of("feed.keepalive", 0.1, "feed.idle_timeout", 1.0);
    }

    @Test
    void aSilentClientIsClosedAsIdleWhileOneAnsweringPingsStays() {
        FeedTestClient answering = subscribe("");
        FeedTestClient silent = subscribe("");
        int before = anvil.anvil().feed().hub().openConnections();
        silent.stall(); // reads nothing, so answers no ping
        Conditions.await(
                vertx,
                "the silent client closed by the server",
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> anvil.anvil().feed().hub().openConnections() == before - 1);
        silent.resumeReading();
        JsonObject closing = silent.awaitControl("closing");
        silent.awaitClosed();
        assertEquals((short) 1008, silent.closeStatus());
        assertTrue(closing.getString("reason").startsWith("idle"), closing::encode);
        // the one answering pings is still served: it gets a new event
        createNode("idle-1", null);
        answering.awaitEvents(1, e -> "idle-1".equals(e.getString("node_name")), "an event after the idle timeout");
        assertEquals(null, answering.closeStatus());
        answering.close();
        silent.close();
    }
}
