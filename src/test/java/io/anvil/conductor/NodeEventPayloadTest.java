package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.events.NodePayloads;
import io.anvil.store.Resources;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node change and its notifications are written by one statement (docs/events.md#event-objects): the payload of
 * the event that describes the node after the change is built before the UPDATE runs, and only {@code updated_at}
 * comes from PostgreSQL. These tests hold that payload against the one built from the row read back afterwards (as
 * a read-then-notify write would), for each kind of change the API makes, and check that a stale fence writes
 * neither the change nor its events.
 */
class NodeEventPayloadTest extends ConductorTestBase {
    /** Keys that describe the change rather than the row (previous states, the lock holder, the fsm event, the power target). */
    private static final List<String> CONTEXT = List.of(
            "previous_provision_state",
            "previous_power_state",
            "previous_target_provision_state",
            "event",
            "reservation",
            "to_power");

    @Test
    void everyAsWrittenPayloadIsTheStoredRow() {
        String uuid = createNode("manageable", new JsonObject().put("ipmi_password", "hunter2"));

        assertEquals(
                202,
                http(HttpMethod.PUT, "/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "disk"))
                        .status());
        JsonObject maintained = assertLastEventIsTheRow(uuid, "baremetal.node.maintenance_set.end");
        assertEquals(true, maintained.getBoolean("maintenance"));
        assertEquals("disk", maintained.getString("maintenance_reason"));
        // an API record edit clears the reservation with its write; the release then writes nothing
        assertNull(node(uuid).get("reservation"));
        assertTrue(lockFree(uuid));

        assertEquals(
                202,
                http(HttpMethod.DELETE, "/v1/nodes/" + uuid + "/maintenance", null)
                        .status());
        assertLastEventIsTheRow(uuid, "baremetal.node.maintenance_set.end");
        // the .start of that change carries the node as the previous change left it
        List<Map<String, Object>> ev = events(uuid);
        JsonObject start = withoutContext((JsonObject) ev.get(ev.size() - 2).get("payload"));
        assertEquals(
                "baremetal.node.maintenance_set.start", ev.get(ev.size() - 2).get("event_type"));
        assertEquals(withoutContext(maintained), start);

        JsonArray patch = new JsonArray()
                .add(new JsonObject()
                        .put("op", "add")
                        .put("path", "/extra/rack")
                        .put("value", "r12"))
                .add(new JsonObject()
                        .put("op", "add")
                        .put("path", "/properties/cpus")
                        .put("value", 64))
                .add(new JsonObject()
                        .put("op", "add")
                        .put("path", "/driver_info/ipmi_password")
                        .put("value", "s3cret"));
        assertEquals(200, patchNode(uuid, patch));
        JsonObject patched = assertLastEventIsTheRow(uuid, "baremetal.node.update.end");
        assertEquals("r12", patched.getJsonObject("extra").getString("rack"));
        assertEquals("******", patched.getJsonObject("driver_info").getString("ipmi_password"));

        assertEquals(
                202,
                http(
                                HttpMethod.PUT,
                                "/v1/nodes/" + uuid + "/states/provision",
                                new JsonObject().put("target", "provide"))
                        .status());
        waitForState(uuid, "available");
        assertLastEventIsTheRow(uuid, "baremetal.node.provision_set.end");

        assertEquals(
                202,
                http(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"))
                        .status());
        waitUntil(
                "powered on",
                () -> "power on".equals(node(uuid).get("power_state"))
                        && node(uuid).get("reservation") == null);
        assertLastEventIsTheRow(uuid, "baremetal.node.power_set.end");
    }

    @Test
    void aStaleFenceWritesNeitherTheChangeNorItsEvents() {
        String uuid = createNode("manageable");
        int eventsBefore = events(uuid).size();
        Throwable e = failure(tasks().withTask(uuid, tasks().apiWrite("test"), task -> {
            sql("UPDATE nodes SET lock_fence = lock_fence + 1000 WHERE uuid = ?", uuid);
            return task.saveWithEvents(
                    NodeUpdates.maintenance(true, "stale"),
                    "baremetal.node.maintenance_set.start",
                    "baremetal.node.maintenance_set.end");
        }));
        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertEquals(false, node(uuid).get("maintenance"));
        assertEquals(eventsBefore, events(uuid).size(), () -> "events written: " + events(uuid));
    }

    /** The node's last event is {@code type} and its payload is the stored row's; returns the payload. */
    private JsonObject assertLastEventIsTheRow(String uuid, String type) {
        List<Map<String, Object>> ev = events(uuid);
        Map<String, Object> last = ev.get(ev.size() - 1);
        assertEquals(type, last.get("event_type"), ev::toString);
        JsonObject payload = (JsonObject) last.get("payload");
        JsonObject row = await(tasks().store().find(Resources.NODE, uuid));
        JsonObject expected = NodePayloads.node(tasks().store().secrets().openNode(row));
        assertEquals(withoutContext(expected), withoutContext(payload), "payload of " + type);
        return payload;
    }

    private static JsonObject withoutContext(JsonObject payload) {
        JsonObject p = payload.copy();
        CONTEXT.forEach(p::remove);
        return p;
    }

    private int patchNode(String uuid, JsonArray ops) {
        return await(calls.call(() -> client.request(HttpMethod.PATCH, "/v1/nodes/" + uuid)
                        .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
                                .putHeader("Content-Type", "application/json")
                                .send(ops.toBuffer()))
                        .compose(resp -> resp.body().map(b -> resp.statusCode()))))
                .intValue();
    }
}
