package io.anvil.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The readable line {@code anvil watch} prints per event. */
class EventLineTest {

    private static JsonObject event(long seq, String type, String level, String name, JsonObject payload) {
        return new JsonObject()
                .put("seq", seq)
                .put("time", "2026-12-05T23:00:00.123456+00:00")
                .put("event_type", type)
                .put("level", level)
                .put("node_uuid", "6d0b7c31-0bd4-4b1f-9d53-0c1b2c9a6e2f")
                .put("node_name", name)
                .put("conductor", "c1")
                .put("payload", payload);
    }

    @Test
    void aProvisionTransitionShowsPreviousArrowNewAndThePowerState() {
        JsonObject p = new JsonObject()
                .put("provision_state", "active")
                .put("previous_provision_state", "deploying")
                .put("target_provision_state", null)
                .put("power_state", "power on")
                .put("maintenance", false)
                .put("last_error", null);
        assertEquals(
                "2026-12-05T23:00:00.123Z #1234 INFO  n1 baremetal.node.provision_set.end"
                        + " provision deploying -> active  power on",
                EventLine.format(event(1234, "baremetal.node.provision_set.end", "info", "n1", p)));
    }

    @Test
    void aHeartbeatEventShowsTheAgentsVersionAndLastHeartbeat() {
        JsonObject p = new JsonObject()
                .put("uuid", "6d0b7c31-0bd4-4b1f-9d53-0c1b2c9a6e2f")
                .put("name", "n1")
                .put("agent_last_heartbeat", "2026-12-05T22:59:59.500000")
                .put("agent_version", "9.11.0")
                .put("agent_url", "http://10.0.0.5:9999");
        assertEquals(
                "2026-12-05T23:00:00.123Z #9 INFO  n1 baremetal.node.heartbeat  agent 9.11.0 heartbeat"
                        + " 2026-12-05T22:59:59.500000",
                EventLine.format(event(9, "baremetal.node.heartbeat", "info", "n1", p)));
    }

    @Test
    void aNodeWithoutANameIsShownByUuidAndATargetStateIsShown() {
        JsonObject p = new JsonObject()
                .put("provision_state", "deploying")
                .put("previous_provision_state", "available")
                .put("target_provision_state", "active")
                .put("power_state", "power off")
                .put("previous_power_state", "power on");
        assertEquals(
                "2026-12-05T23:00:00.123Z #7 INFO  6d0b7c31-0bd4-4b1f-9d53-0c1b2c9a6e2f"
                        + " baremetal.node.provision_set.start provision available -> deploying (target active)"
                        + "  power on -> power off",
                EventLine.format(event(7, "baremetal.node.provision_set.start", "info", null, p)));
    }

    @Test
    void anErrorShowsItsLevelMaintenanceFaultAndLastErrorOnOneLine() {
        JsonObject p = new JsonObject()
                .put("provision_state", "deploy failed")
                .put("previous_provision_state", "deploying")
                .put("target_provision_state", "active")
                .put("power_state", "power on")
                .put("maintenance", true)
                .put("maintenance_reason", "BMC unreachable")
                .put("fault", "power failure")
                .put("last_error", "Timeout reached while waiting for callback.\nTraceback:\n  line 1");
        assertEquals(
                "2026-12-05T23:00:00.123Z #9 ERROR n2 baremetal.node.provision_set.error"
                        + " provision deploying -> deploy failed (target active)  power on"
                        + "  maintenance: BMC unreachable  fault power failure"
                        + "  last_error: Timeout reached while waiting for callback. | Traceback: | line 1",
                EventLine.format(event(9, "baremetal.node.provision_set.error", "error", "n2", p)));
    }

    @Test
    void timeIsConvertedToUtcAndAnUnreadableTimeIsShownAsItCame() {
        assertEquals("2026-12-06T00:30:00.000Z", EventLine.time("2026-12-06T01:30:00+01:00"));
        assertEquals("yesterday", EventLine.time("yesterday"));
    }

    @Test
    void anEventWithoutNodeOrPayloadStillPrints() {
        JsonObject e = new JsonObject()
                .put("seq", 3)
                .put("time", "2026-12-05T23:00:00Z")
                .put("event_type", "baremetal.conductor.start")
                .put("level", "warning");
        assertEquals("2026-12-05T23:00:00.000Z #3 WARNING - baremetal.conductor.start", EventLine.format(e));
    }

    @Test
    void anUnchangedStateIsShownOnceWithoutArrow() {
        assertEquals("power on", EventLine.transition("power on", "power on"));
        assertEquals("power on", EventLine.transition(null, "power on"));
        assertEquals(null, EventLine.transition("power on", null));
    }
}
