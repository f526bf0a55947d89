package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilInstance;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A graceful stop writes the liveness still coalesced in memory (docs/agent.md): nothing accepted is lost. */
class AgentGracefulStopTest {

    @Test
    void pendingLivenessIsWrittenWhenTheConductorStops() throws Exception {
        AnvilInstance anvil = AnvilInstance.start(Map.of("agent.liveness_flush_interval", 3600.0));
        var db = anvil.database();
        String uuid = UUID.randomUUID().toString();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            MultiConductorFixture.insertNode(c, uuid, "wait call-back", "");
            MultiConductorFixture.exec(
                    c,
                    "UPDATE nodes SET driver_internal_info = '{\"agent_secret_token\": \"stop-token\"}' WHERE uuid = ?::uuid",
                    uuid);
            String body = new JsonObject()
                    .put("callback_url", "http://192.0.2.7:9999")
                    .put("agent_token", "stop-token")
                    .put("agent_version", "last-words")
                    .encode();
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(anvil.endpoint() + "/v1/heartbeat/" + uuid))
                                    .header("X-OpenStack-Ironic-API-Version", "1.68")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(1, anvil.anvil().agent().pendingLiveness(), "coalesced, not yet written");
            anvil.close();
            Object info = MultiConductorFixture.column(c, uuid, "driver_internal_info");
            JsonObject stored = new JsonObject(String.valueOf(info));
            assertEquals("last-words", stored.getString("agent_version"));
            assertEquals("http://192.0.2.7:9999", stored.getString("agent_url"));
        }
    }
}
