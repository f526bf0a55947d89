package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.health.Readiness;
import io.anvil.lock.LockOptions;
import io.anvil.lock.NodeLockService;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.store.Database;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.OnContext;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /health/live} and {@code /health/ready} (docs/operations.md#health): ready only once start-up finished and
 * while PostgreSQL and Redis answer; otherwise 503 with a JSON body naming what is not ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthApiTest {
    private Vertx vertx;
    private HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    private OnContext calls;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
        calls = OnContext.of(vertx);
    }

    @AfterAll
    void stop() {
        await(vertx.close());
    }

    record Resp(int status, String contentType, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        List<Object> notReady() {
            return json().getJsonArray("not_ready", new JsonArray()).getList();
        }
    }

    private Resp get(int port, String path) {
        return await(calls.call(() -> http.request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(req -> req.send())
                .compose(r -> r.body().map(b -> new Resp(r.statusCode(), r.getHeader("Content-Type"), b.toString())))));
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The operator's endpoints alone, on their own server, over {@code readiness}. */
    private HttpServer serve(Readiness readiness, AnvilMetrics metrics) {
        Router r = Router.router(vertx);
        new OpsApi(vertx, metrics, readiness).mount(r);
        return await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
    }

    @Test
    void notReadyUntilStartUpFinishedThenReadyWhileTheDependenciesAnswer() {
        DatabaseUrl url = TestServices.freshDatabase();
        Database db = Database.connect(vertx, url, 1, 1);
        NodeLockService locks = await(NodeLockService.create(vertx, TestServices.redisUrl(), LockOptions.defaults()));
        AtomicBoolean started = new AtomicBoolean();
        Readiness readiness = new Readiness(started::get, Duration.ofSeconds(2))
                .probe("postgresql", db::ping)
                .probe("redis", locks::ping);
        HttpServer server = serve(readiness, AnvilMetrics.noop());
        try {
            Resp r = get(server.actualPort(), "/health/ready");
            assertEquals(503, r.status(), r::toString);
            assertEquals("application/json", r.contentType());
            assertEquals(List.of("startup"), r.notReady());
            assertEquals("not ready", r.json().getString("status"));
            JsonObject checks = r.json().getJsonObject("checks");
            assertEquals(true, checks.getJsonObject("postgresql").getBoolean("ready"));
            assertEquals(true, checks.getJsonObject("redis").getBoolean("ready"));
            assertTrue(checks.getJsonObject("startup").getString("reason").contains("start-up"));
            assertEquals(200, get(server.actualPort(), "/health/live").status(), "live while not ready");

            started.set(true);
            r = get(server.actualPort(), "/health/ready");
            assertEquals(200, r.status(), r::toString);
            assertEquals("ready", r.json().getString("status"));
            assertEquals(List.of(), r.notReady());

            // metrics disabled: /metrics says so instead of serving an empty page
            assertEquals(404, get(server.actualPort(), "/metrics").status());
        } finally {
            await(server.close());
            await(locks.close());
            await(db.close());
        }
    }

    @Test
    void anUnreachablePostgresqlIsNamed() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Database db = Database.connect(
                vertx, DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/nowhere"), 1, 1);
        Readiness readiness = new Readiness(() -> true, Duration.ofSeconds(2)).probe("postgresql", db::ping);
        HttpServer server = serve(readiness, AnvilMetrics.noop());
        try {
            Resp r = get(server.actualPort(), "/health/ready");
            assertEquals(503, r.status(), r::toString);
            assertEquals(List.of("postgresql"), r.notReady());
            assertTrue(
                    !r.json()
                            .getJsonObject("checks")
                            .getJsonObject("postgresql")
                            .getString("reason")
                            .isBlank(),
                    r::toString);
        } finally {
            await(server.close());
            await(db.close());
        }
    }

    @Test
    void aRunningAnvilIsReadyAndTurnsNotReadyWhenItsRedisGoesAway() throws Exception {
        // a Redis of this test's own, so that stopping it disturbs nobody else
        EmbeddedServices redis = EmbeddedServices.start(null, false, true);
        DatabaseUrl url = TestServices.freshDatabase();
        Map<String, Object> cfg = AnvilInstance.testConfig(url, "health-" + url.database());
        cfg.put("redis.url", redis.redisUrl());
        cfg.put("conductor.lock_lease", 1.0); // a new Redis makes start-up wait one lease
        Anvil anvil = await(Anvil.start(vertx, AnvilConfig.of(cfg)));
        try {
            int port = anvil.apiPort();
            Resp r = get(port, "/health/ready");
            assertEquals(200, r.status(), r::toString);
            assertEquals(
                    JsonObject.of(
                            "startup", JsonObject.of("ready", true),
                            "postgresql", JsonObject.of("ready", true),
                            "redis", JsonObject.of("ready", true)),
                    r.json().getJsonObject("checks"));

            redis.close();
            Conditions.await(
                    vertx,
                    "/health/ready reports Redis",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    () -> get(port, "/health/ready").status() == 503);
            r = get(port, "/health/ready");
            assertEquals(List.of("redis"), r.notReady(), r::toString);
            assertEquals(200, get(port, "/health/live").status(), "the process still serves");
            assertEquals(200, get(port, "/healthcheck").status(), "Ironic's healthcheck only reports a drain");
        } finally {
            await(anvil.stop());
            redis.close();
        }
    }
}
