package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops and starts again under a running conductor (docs/scale-out.md#what-happens-on-each-failure): an
 * embedded PostgreSQL of this test's own (stopped, then started again on the same port and data), so the machine's
 * shared one is never touched. While it is away the API
 * answers 503 with Ironic's error body and {@code /health/ready} names {@code postgresql}; once it is back the pool
 * opens new connections by itself and reads and writes succeed, with nothing written twice.
 */
class DatabaseRestartTest {

    @Test
    void theApiAnswers503WhileThePostgresqlIsAwayAndRecoversByItself() throws Exception {
        try (AnvilOnOwnPostgres pg = AnvilOnOwnPostgres.start("pg-restart", Map.of())) {
            int port = pg.port();
            String uuid = new JsonObject(
                            call(port, "POST", "/v1/nodes", "{\"driver\":\"fake-hardware\",\"name\":\"a\"}")
                                    .body())
                    .getString("uuid");
            assertEquals(200, call(port, "GET", "/v1/nodes/" + uuid, null).statusCode());

            pg.stopPostgres();
            Conditions.await(
                    pg.vertx,
                    "a GET answers 503 while PostgreSQL is away",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    () -> call(port, "GET", "/v1/nodes/" + uuid, null).statusCode() == 503);
            HttpResponse<String> away = call(
                    port, "PATCH", "/v1/nodes/" + uuid, "[{\"op\":\"add\",\"path\":\"/extra/k\",\"value\":\"v\"}]");
            assertEquals(503, away.statusCode(), away.body());
            String fault =
                    new JsonObject(new JsonObject(away.body()).getString("error_message")).getString("faultstring");
            assertTrue(fault.contains("database is not reachable"), fault);
            HttpResponse<String> ready = call(port, "GET", "/health/ready", null);
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("postgresql"), ready.body());

            pg.startPostgres();
            Conditions.await(
                    pg.vertx,
                    "/health/ready once PostgreSQL is back",
                    Duration.ofSeconds(60),
                    Duration.ofMillis(200),
                    () -> call(port, "GET", "/health/ready", null).statusCode() == 200);
            assertEquals(200, call(port, "GET", "/v1/nodes/" + uuid, null).statusCode());
            HttpResponse<String> patched = call(
                    port, "PATCH", "/v1/nodes/" + uuid, "[{\"op\":\"add\",\"path\":\"/extra/k\",\"value\":\"v\"}]");
            assertEquals(200, patched.statusCode(), patched.body());
            assertEquals(
                    201,
                    call(port, "POST", "/v1/nodes", "{\"driver\":\"fake-hardware\",\"name\":\"b\"}")
                            .statusCode());
            JsonObject list =
                    new JsonObject(call(port, "GET", "/v1/nodes", null).body());
            assertEquals(2, list.getJsonArray("nodes").size(), "each node written once: " + list.encode());
        }
    }

    /** One request on a new connection each time (a stopped database must not leave a client stuck). */
    private static HttpResponse<String> call(int port, String method, String path, String body) {
        return io.anvil.testsupport.PlainHttp.call(HttpClient.newHttpClient(), port, method, path, body);
    }
}
