package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path dir = Files.createTempDirectory(Path.of("target"), "pg-restart-");
        Vertx vertx = Vertx.vertx();
        EmbeddedServices pg = EmbeddedServices.start(dir, true, false);
        EmbeddedServices[] restarted = {null};
        DatabaseUrl url = DatabaseUrl.parse(pg.databaseUrl());
        Map<String, Object> cfg = AnvilInstance.testConfig(url, "pg-restart");
        cfg.put("database.url", pg.databaseUrl());
        Anvil anvil = get(Anvil.start(vertx, AnvilConfig.of(cfg)));
        try {
            int port = anvil.apiPort();
            String uuid = new JsonObject(
                            call(port, "POST", "/v1/nodes", "{\"driver\":\"fake-hardware\",\"name\":\"a\"}")
                                    .body())
                    .getString("uuid");
            assertEquals(200, call(port, "GET", "/v1/nodes/" + uuid, null).statusCode());

            pg.close(); // zonky stops it with a fast shutdown: every client connection is closed
            Conditions.await(
                    vertx,
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

            restarted[0] = EmbeddedServices.start(dir, true, false, url.port());
            Conditions.await(
                    vertx,
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
        } finally {
            get(anvil.stop().recover(e -> Future.succeededFuture()));
            if (restarted[0] != null) {
                restarted[0].close();
            }
            pg.close();
            get(vertx.close());
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    /** One request on a new connection each time (a stopped database must not leave a client stuck). */
    private static HttpResponse<String> call(int port, String method, String path, String body) {
        HttpClient client = HttpClient.newHttpClient();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("X-OpenStack-Ironic-API-Version", "latest")
                    .header("Content-Type", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T get(Future<T> f) {
        return Conditions.result(f, Duration.ofSeconds(90));
    }
}
