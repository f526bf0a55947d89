package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The console's state endpoints answer as Ironic's NodeConsoleController does for the fake and no-console interfaces. */
class ConsoleApiTest extends ApiTestBase {

    private JsonObject console(String uuid) {
        return get("/v1/nodes/" + uuid + "/states/console")
                .v(LATEST)
                .expect(200)
                .json();
    }

    @Test
    void theFakeConsoleTurnsOnAndOffAndSaysSoInEvents() {
        String uuid = createNode("console-fake").getString("uuid");
        assertEquals(new JsonObject().put("console_enabled", false).putNull("console_info"), console(uuid));

        Resp on = put("/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", true))
                .v(LATEST)
                .expect(202);
        assertTrue(on.header("Location").endsWith("/v1/nodes/" + uuid + "/states/console"), on.header("Location"));
        assertEquals(
                new JsonObject().put("console_enabled", true).put("console_info", new JsonObject()), console(uuid));
        assertEquals(true, get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getBoolean("console_enabled"));

        // already on: nothing happens, as Ironic's conductor logs "already enabled" and writes nothing
        put("/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", "yes"))
                .v(LATEST)
                .expect(202);
        put("/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", "off"))
                .v(LATEST)
                .expect(202);
        assertEquals(false, console(uuid).getBoolean("console_enabled"));
        assertEquals(
                java.util.List.of(
                        "baremetal.node.console_set.start",
                        "baremetal.node.console_set.end",
                        "baremetal.node.console_set.start",
                        "baremetal.node.console_set.end"),
                column(
                        "SELECT event_type FROM events WHERE node_uuid = ?::uuid AND event_type LIKE"
                                + " 'baremetal.node.console_set.%' ORDER BY seq",
                        uuid));
    }

    @Test
    void noConsoleIsNotSupportedAndBadInputIsRefused() {
        String uuid = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", "console-none")
                        .put("console_interface", "no-console"))
                .getString("uuid");
        // a disabled console is described without asking the driver
        assertEquals(new JsonObject().put("console_enabled", false).putNull("console_info"), console(uuid));
        assertError(
                put("/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", true))
                        .v(LATEST)
                        .send(),
                400,
                "Driver fake-hardware does not support console (disabled or not implemented).");

        String fake = createNode("console-bad-input").getString("uuid");
        assertError(
                put("/v1/nodes/" + fake + "/states/console", new JsonObject())
                        .v(LATEST)
                        .send(),
                400,
                "enabled");
        assertError(
                put("/v1/nodes/" + fake + "/states/console", new JsonObject().put("enabled", "maybe"))
                        .v(LATEST)
                        .send(),
                400,
                "maybe");
        assertError(
                put("/v1/nodes/no-such-node/states/console", new JsonObject().put("enabled", true))
                        .v(LATEST)
                        .send(),
                404,
                "no-such-node");
        assertEquals(false, console(fake).getBoolean("console_enabled"));
    }
}
