package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** GET /v1/nodes/{id}/history: errors recorded with their notification, shown from microversion 1.78. */
class HistoryApiTest extends ApiTestBase {

    @Test
    void powerFailureIsRecordedInTheNodeHistory() {
        JsonObject node = createNode(new JsonObject()
                .put("driver", "fake-hardware")
                .put("name", "flaky")
                .put("driver_info", new JsonObject().put("fake_power_fail", "BMC answered 0xC3 (password=hunter2)")));
        String uuid = node.getString("uuid");
        assertEquals(
                0,
                get("/v1/nodes/" + uuid + "/history")
                        .v("1.78")
                        .expect(200)
                        .json()
                        .getJsonArray("history")
                        .size());

        put("/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"))
                .v("1.78")
                .expect(202);
        JsonArray history = new JsonArray();
        for (int i = 0; i < 300 && history.isEmpty(); i++) {
            history = get("/v1/nodes/" + uuid + "/history")
                    .v("1.78")
                    .expect(200)
                    .json()
                    .getJsonArray("history");
            if (history.isEmpty()) {
                vertxDelay(20);
            }
        }
        assertEquals(1, history.size(), history.encode());
        JsonObject entry = history.getJsonObject(0);
        assertEquals("ERROR", entry.getString("severity"));
        assertTrue(entry.getString("event").contains("Failed to change power state to 'power on'"), entry.encode());
        assertFalse(entry.encode().contains("hunter2"), "secrets are masked in history: " + entry.encode());
        assertFalse(entry.containsKey("event_type"), "plain list omits detail fields");

        JsonObject detailed = get("/v1/nodes/" + uuid + "/history?detail=true")
                .v("1.78")
                .expect(200)
                .json()
                .getJsonArray("history")
                .getJsonObject(0);
        assertEquals("power", detailed.getString("event_type"));
        assertEquals(anvil.config().conductor().hostname(), detailed.getString("conductor"));

        JsonObject one = get("/v1/nodes/flaky/history/" + entry.getString("uuid"))
                .v("1.78")
                .expect(200)
                .json();
        assertEquals(entry.getString("uuid"), one.getString("uuid"));
        assertError(
                get("/v1/nodes/" + uuid + "/history/" + java.util.UUID.randomUUID())
                        .v("1.78")
                        .send(),
                404,
                "could not be found");
        assertError(get("/v1/nodes/" + uuid + "/history").v("1.77").send(), 404, null);
    }
}
