package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimUser;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets at rest end to end (docs/security.md#secrets-at-rest): a BMC password, a K_g key and instance_info
 * secrets planted through the API are encrypted in PostgreSQL (the jsonb holds the sealed form, the other fields stay
 * queryable), appear in no API response, error, event payload, history entry or log line, while the IPMI driver still
 * logs in to a simulated BMC that accepts only the right password and K_g: a wrong decryption fails the power action.
 */
class SecretsAtRestIpmiTest extends AbstractIpmiApiTest {
    private static final String BMC_PASSWORD = "Bmc-Pw-7f3e9a1c";
    private static final String OTHER_PASSWORD = "Op-Pw-c41d0e88";
    private static final String WRONG_PASSWORD = "Wrong-Pw-5a9b2d71";
    private static final String KG_HEX = "5ec2e7c0ffee1234";
    private static final String CONFIGDRIVE = "CONFIGDRIVE-9d8e7f";
    private static final String IMAGE_TOKEN = "IMG-TOKEN-0a1b2c";
    private static final List<String> PLANTED =
            List.of(BMC_PASSWORD, OTHER_PASSWORD, WRONG_PASSWORD, KG_HEX, CONFIGDRIVE, IMAGE_TOKEN);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<String> responses = new ArrayList<>();
    private Level anvilLevel;
    private SimulatedFleet fleet;

    @BeforeAll
    void captureLogsAndStartBmcs() {
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        // every level Anvil logs at, debug included: a secret must not hide in a debug line either
        Logger anvilLogger = (Logger) LoggerFactory.getLogger("io.anvil");
        anvilLevel = anvilLogger.getLevel();
        anvilLogger.setLevel(Level.DEBUG);
        fleet = fleet(new FleetOptions()
                .count(2)
                .users(List.of(
                        new SimUser("admin", BMC_PASSWORD, Privilege.ADMINISTRATOR),
                        new SimUser("op", OTHER_PASSWORD, Privilege.ADMINISTRATOR)))
                .bmcKey(HexFormat.of().parseHex(KG_HEX)));
    }

    @AfterAll
    void stopCapture() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("io.anvil")).setLevel(anvilLevel);
    }

    private Resp recorded(Resp r) {
        responses.add(r.body().toString());
        return r;
    }

    private Resp req(int status, HttpMethod method, String path, Object body) {
        Resp r = recorded(call(method, path, body));
        assertEquals(status, r.status(), () -> method + " " + path + " -> " + r);
        return r;
    }

    private JsonObject stored(String uuid) throws SQLException {
        try (PreparedStatement ps = jdbc().prepareStatement(
                        "SELECT driver_info::text, instance_info::text, driver_internal_info::text, driver_info->>'ipmi_password',"
                                + " driver_info->>'ipmi_hex_kg_key', driver_info->>'ipmi_address', instance_info->>'configdrive'"
                                + " FROM nodes WHERE uuid = ?")) {
            ps.setObject(1, UUID.fromString(uuid));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return new JsonObject()
                        .put("all", rs.getString(1) + rs.getString(2) + rs.getString(3))
                        .put("password", rs.getString(4))
                        .put("kg", rs.getString(5))
                        .put("address", rs.getString(6))
                        .put("configdrive", rs.getString(7));
            }
        }
    }

    private List<String> texts(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = jdbc().prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void assertNoPlanted(String where, String text) {
        for (String s : PLANTED) {
            assertFalse(text != null && text.contains(s), () -> "secret " + s + " found in " + where + ": " + text);
        }
    }

    @Test
    void plantedSecretsAreEncryptedEverywhereAndTheBmcStillAcceptsThem() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        JsonObject driverInfo = new JsonObject()
                .put("ipmi_address", "127.0.0.1")
                .put("ipmi_port", bmc.port())
                .put("ipmi_username", "admin")
                .put("ipmi_password", BMC_PASSWORD)
                .put("ipmi_hex_kg_key", KG_HEX);
        JsonObject create = new JsonObject()
                .put("driver", "ipmi")
                .put("name", "secret-at-rest")
                .put("driver_info", driverInfo)
                .put(
                        "instance_info",
                        new JsonObject()
                                .put("image_source", "http://images.example/os.img")
                                .put("configdrive", CONFIGDRIVE)
                                .put("image_token", IMAGE_TOKEN));
        String uuid = req(201, HttpMethod.POST, "/v1/nodes", create).json().getString("uuid");

        // at rest: sealed values under the secret keys, the rest plain and queryable
        JsonObject row = stored(uuid);
        assertNoPlanted("the nodes row", row.getString("all"));
        assertTrue(row.getString("password").startsWith("anvil:enc:v1:test:"), row::encode);
        assertTrue(row.getString("kg").startsWith("anvil:enc:v1:test:"), row::encode);
        assertTrue(row.getString("configdrive").startsWith("anvil:enc:v1:test:"), row::encode);
        assertEquals("127.0.0.1", row.getString("address"));

        // the IPMI driver gets the decrypted password and K_g: the simulated BMC accepts nothing else
        assertEquals(202, recorded(power(uuid, "power on")).status());
        JsonObject on = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", on.getString("power_state"), on::encode);
        assertEquals(PowerState.ON, bmc.power());

        // a PATCH writes a new password encrypted, and the driver uses it
        req(
                200,
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "replace")
                                .put("path", "/driver_info/ipmi_username")
                                .put("value", "op"))
                        .add(new JsonObject()
                                .put("op", "replace")
                                .put("path", "/driver_info/ipmi_password")
                                .put("value", OTHER_PASSWORD)));
        assertNoPlanted("the nodes row after a PATCH", stored(uuid).getString("all"));
        assertEquals(202, recorded(power(uuid, "power off")).status());
        assertEquals("power off", awaitPowerSettled(uuid, 10_000).getString("power_state"));
        assertEquals(PowerState.OFF, bmc.power());

        // a wrong password (on the other BMC) fails, with an error that names no secret
        String failing = req(
                        201,
                        HttpMethod.POST,
                        "/v1/nodes",
                        new JsonObject()
                                .put("driver", "ipmi")
                                .put("name", "secret-at-rest-wrong")
                                .put(
                                        "driver_info",
                                        driverInfo
                                                .copy()
                                                .put("ipmi_port", fleet.bmc(1).port())
                                                .put("ipmi_password", WRONG_PASSWORD)))
                .json()
                .getString("uuid");
        recorded(power(failing, "power on"));
        JsonObject failed = awaitNode(failing, n -> n.getValue("target_power_state") == null, 20_000);
        assertNotNull(failed.getString("last_error"), failed::encode);
        assertEquals(PowerState.OFF, fleet.bmc(1).power());

        // errors: a sealed-looking value is refused without echoing it; bad patches name no secret
        Resp refused = req(
                400,
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "replace")
                                .put("path", "/driver_info/ipmi_password")
                                .put("value", "anvil:enc:v1:test:" + BMC_PASSWORD)));
        assertTrue(refused.fault().contains("reserved for secrets Anvil encrypted"), refused::toString);
        // a JSON-patch test of a secret compares with what the API shows: the right password is no oracle, nor echoed
        Resp tested = req(
                400,
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "test")
                                .put("path", "/driver_info/ipmi_password")
                                .put("value", OTHER_PASSWORD)));
        assertEquals("Patch test failed: /driver_info/ipmi_password is not ******.", tested.fault());
        req(
                200,
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "test")
                                .put("path", "/driver_info/ipmi_password")
                                .put("value", "******")));
        req(
                400,
                HttpMethod.POST,
                "/v1/nodes",
                create.copy().put("name", "bad name with spaces").put("bogus", BMC_PASSWORD));

        // every way the API shows a node
        req(200, HttpMethod.GET, "/v1/nodes/" + uuid, null);
        req(200, HttpMethod.GET, "/v1/nodes/secret-at-rest", null);
        req(200, HttpMethod.GET, "/v1/nodes", null);
        req(200, HttpMethod.GET, "/v1/nodes/detail", null);
        req(200, HttpMethod.GET, "/v1/nodes?fields=uuid,driver_info,instance_info,driver_internal_info", null);
        req(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/history", null);
        req(200, HttpMethod.GET, "/v1/nodes/" + failing + "/history", null);
        req(200, HttpMethod.GET, "/v1/nodes/" + failing, null);
        JsonObject shown = req(200, HttpMethod.GET, "/v1/nodes/" + uuid, null).json();
        assertEquals("******", shown.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("******", shown.getJsonObject("driver_info").getString("ipmi_hex_kg_key"));
        assertEquals("******", shown.getJsonObject("instance_info").getString("configdrive"));
        for (String body : responses) {
            assertNoPlanted("an API response", body);
            assertFalse(body.contains("anvil:enc:v1:test:"), () -> "ciphertext shown: " + body);
        }

        // notifications, history, and every log line
        List<String> payloads = texts("SELECT payload::text FROM events");
        assertFalse(payloads.isEmpty());
        payloads.forEach(p -> assertNoPlanted("an event payload", p));
        List<String> history = texts("SELECT h::text FROM node_history h");
        assertFalse(history.isEmpty(), "the failed power action is in the history");
        history.forEach(h -> assertNoPlanted("node_history", h));
        texts("SELECT last_error FROM nodes").forEach(e -> assertNoPlanted("last_error", e));
        assertFalse(logs.list.isEmpty());
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            assertNoPlanted("a log line", e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                assertNoPlanted("a logged exception", ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
    }
}
