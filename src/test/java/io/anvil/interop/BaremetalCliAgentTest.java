package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI shows what an agent's heartbeat recorded (driver_internal_info.agent_url,
 * agent_last_heartbeat, agent_version) and never the agent token (docs/agent.md).
 */
class BaremetalCliAgentTest {
    private static CliHarness harness;
    private static BaremetalCli cli;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of("agent.liveness_flush_interval", 0.05));
        cli = harness.cli();
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static HttpResponse<String> http(String method, String path, String version, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(
                        URI.create(harness.anvil().endpoint() + path))
                .header("X-OpenStack-Ironic-API-Version", version);
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        r.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nodeShowHasTheAgentsLivenessAndNeverItsToken() throws Exception {
        JsonObject node = new JsonObject(
                cli.run("node", "create", "--driver", "fake-hardware", "--name", "agent-cli", "-f", "json"));
        String uuid = node.getString("uuid");
        cli.run("port", "create", "52:54:02:00:00:01", "--node", uuid, "-f", "json");
        var db = harness.anvil().database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE nodes SET provision_state = 'wait call-back' WHERE uuid = ?::uuid")) {
            ps.setString(1, uuid);
            ps.executeUpdate();
        }
        HttpResponse<String> lookup = http("GET", "/v1/lookup?addresses=52:54:02:00:00:01", "1.62", null);
        assertEquals(200, lookup.statusCode(), lookup.body());
        String token = new JsonObject(lookup.body()).getJsonObject("config").getString("agent_token");
        String hb = new JsonObject()
                .put("callback_url", "http://192.0.2.10:9999")
                .put("agent_token", token)
                .put("agent_version", "9.4.0")
                .encode();
        assertEquals(202, http("POST", "/v1/heartbeat/" + uuid, "1.68", hb).statusCode());

        JsonObject settled = harness.awaitShow(
                uuid,
                Duration.ofSeconds(30),
                n -> n.getJsonObject("driver_internal_info").getValue("agent_last_heartbeat") != null);
        JsonObject shown = settled.getJsonObject("driver_internal_info");
        String out = settled.encode();
        assertEquals("http://192.0.2.10:9999", shown.getString("agent_url"));
        assertEquals("9.4.0", shown.getString("agent_version"));
        assertTrue(shown.getString("agent_last_heartbeat").startsWith("20"), shown.encode());
        assertEquals("******", shown.getString("agent_secret_token"));
        assertFalse(out.contains(token), "the token never leaves");
        String fields = cli.run("node", "show", uuid, "--fields", "driver_internal_info", "-f", "json");
        assertFalse(fields.contains(token));
    }
}
