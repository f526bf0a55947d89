package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ironic's node payload built from a row: what it leaves out, what it masks, and that it shares nothing mutable. */
class NodePayloadsTest {
    private static JsonObject row() {
        return new JsonObject()
                .put("id", 7)
                .put("uuid", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
                .put("lock_fence", 99L)
                .put("row_version", 1234L)
                .put("heartbeat_event_at", "2026-12-07T00:00:00.000000+00:00")
                .put("driver_internal_info", new JsonObject().put("agent_secret_token", "t0k"))
                .put(
                        "driver_info",
                        new JsonObject().put("ipmi_password", "hunter2").put("ipmi_address", "10.0.0.1"))
                .put("instance_info", new JsonObject().put("configdrive", "cd"))
                .put("properties", new JsonObject().put("cpus", 8))
                .put("extra", new JsonObject().put("api_token", "x"))
                .put("traits", new JsonArray().add("CUSTOM_A"))
                .put("raid_config", new JsonObject().put("logical_disks", new JsonArray()))
                .put("name", "node-1");
    }

    @Test
    void leavesOutBookkeepingAndMasksSecrets() {
        JsonObject p = NodePayloads.node(row());
        for (String k : List.of("id", "lock_fence", "row_version", "heartbeat_event_at", "driver_internal_info")) {
            assertFalse(p.containsKey(k), k);
        }
        assertEquals("******", p.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("10.0.0.1", p.getJsonObject("driver_info").getString("ipmi_address"));
        assertEquals("******", p.getJsonObject("instance_info").getString("configdrive"));
        assertEquals("******", p.getJsonObject("extra").getString("api_token"));
        assertEquals(8, p.getJsonObject("properties").getInteger("cpus"));
        assertEquals("node-1", p.getString("name"));
        assertEquals(new JsonArray().add("CUSTOM_A"), p.getJsonArray("traits"));
    }

    @Test
    void aColumnGivenAsAMapOrListIsMaskedAndCopiedAllTheSame() {
        JsonObject r = row();
        r.put("driver_info", Map.of("ipmi_password", "hunter2"));
        r.put("traits", List.of("CUSTOM_B"));
        JsonObject p = NodePayloads.node(r);
        assertEquals("******", p.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals(new JsonArray().add("CUSTOM_B"), p.getJsonArray("traits"));
    }

    @Test
    void theRowIsLeftAsItWasAndLaterChangesToItDoNotReachThePayload() {
        JsonObject r = row();
        JsonObject before = r.copy();
        JsonObject p = NodePayloads.node(r);
        assertEquals(before, r, "building the payload changes nothing in the row");

        r.getJsonObject("raid_config").put("logical_disks", new JsonArray().add(1));
        r.getJsonArray("traits").add("CUSTOM_LATE");
        r.getJsonObject("properties").put("cpus", 16);
        assertEquals(new JsonArray(), p.getJsonObject("raid_config").getJsonArray("logical_disks"));
        assertEquals(new JsonArray().add("CUSTOM_A"), p.getJsonArray("traits"));
        assertEquals(8, p.getJsonObject("properties").getInteger("cpus"));
    }
}
