package io.anvil.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One Anvil (fresh database, ephemeral API port) for end-to-end tests of a hardware type through the REST API against
 * simulated BMCs (the ipmi tests' and the redfish tests' common base): requests issued from one Vert.x context, node
 * polling on Vert.x timers (never sleeps), the node's notifications read from PostgreSQL, and a check that no test
 * secret reaches a response or an event.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DriverApiTestBase {
    protected static final long TIMEOUT_S = 30;
    protected static final String PASSWORD = "password";

    /** Passwords used by these tests must never reach a response, an event or an error. */
    protected static final List<String> SECRETS = List.of(PASSWORD, "Wr0ng-S3cret", "operpass", "userpass");

    protected Vertx vertx;
    protected Anvil anvil;
    protected HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    protected OnContext calls;

    protected DatabaseUrl db;
    /** Closes simulators and other resources after the class, in the order they were opened. */
    private final List<Supplier<Future<?>>> closers = new ArrayList<>();

    private Connection jdbc;

    @BeforeAll
    void startAnvil(Vertx vertx) {
        this.vertx = vertx;
        db = TestServices.freshDatabase();
        Map<String, Object> cfg = new HashMap<>(AnvilInstance.testConfig(
                db, "anvil-test-" + getClass().getSimpleName().toLowerCase()));
        cfg.putAll(configOverrides());
        anvil = await(Anvil.start(vertx, AnvilConfig.of(cfg)));
        http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(anvil.apiPort())
                .setKeepAlive(true));
        calls = OnContext.of(vertx);
    }

    /** Settings this class runs its Anvil with, on top of the test defaults. */
    protected Map<String, Object> configOverrides() {
        return Map.of();
    }

    @AfterAll
    void stopAll() throws SQLException {
        if (http != null) {
            await(http.close());
        }
        if (anvil != null) {
            await(anvil.stop());
        }
        for (Supplier<Future<?>> c : closers) {
            await(c.get().recover(e -> Future.succeededFuture()));
        }
        if (jdbc != null) {
            jdbc.close();
        }
    }

    /** {@code close} runs after the class, once Anvil stopped (a simulated fleet). */
    protected void closeAfterAll(Supplier<Future<?>> close) {
        closers.add(close);
    }

    protected static <T> T await(Future<T> f) {
        return await(f, TIMEOUT_S);
    }

    protected static <T> T await(Future<T> f, long seconds) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    protected void vertxDelay(long ms) {
        await(Future.<Void>future(p -> vertx.setTimer(ms, id -> p.complete())));
    }

    // ---- HTTP ----

    public record Resp(int status, Buffer body) {
        public JsonObject json() {
            return new JsonObject(body);
        }

        /** Ironic's double-encoded faultstring. */
        public String fault() {
            return new JsonObject(json().getString("error_message")).getString("faultstring");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    protected Future<Resp> send(HttpMethod method, String path, Object body) {
        RequestOptions opts = new RequestOptions()
                .setMethod(method)
                .setURI(path)
                .putHeader("X-OpenStack-Ironic-API-Version", "latest");
        if (body != null) {
            opts.putHeader("Content-Type", "application/json");
        }
        return calls.call(() -> http.request(opts)
                .compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body.toString())))
                        .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b)))));
    }

    protected Resp call(HttpMethod method, String path, Object body) {
        Resp r = await(send(method, path, body));
        assertSafe(r.body().toString());
        return r;
    }

    protected Resp expect(int status, HttpMethod method, String path, Object body) {
        Resp r = call(method, path, body);
        assertEquals(status, r.status(), () -> method + " " + path + " -> " + r);
        return r;
    }

    protected JsonObject node(String uuid) {
        return expect(200, HttpMethod.GET, "/v1/nodes/" + uuid, null).json();
    }

    protected Resp power(String uuid, String target) {
        return call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", target));
    }

    protected Resp provision(String uuid, String target) {
        return call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/provision", new JsonObject().put("target", target));
    }

    /** Polls the node (every 50 ms, on Vert.x timers) until {@code done} holds; fails after {@code timeoutMs}. */
    protected JsonObject awaitNode(String uuid, Predicate<JsonObject> done, long timeoutMs) {
        JsonObject[] last = {null};
        try {
            Conditions.await(
                    vertx,
                    "node " + uuid + " in the expected state",
                    Duration.ofMillis(timeoutMs),
                    Duration.ofMillis(50),
                    () -> done.test(last[0] = node(uuid)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last[0].encode(), e);
        }
        return last[0];
    }

    /** Polls the node until its provision state is one of {@code states}; fails after {@code timeoutMs}. */
    protected JsonObject awaitProvisionIn(String uuid, long timeoutMs, String... states) {
        List<String> wanted = List.of(states);
        return awaitNode(uuid, n -> wanted.contains(n.getString("provision_state")), timeoutMs);
    }

    /** Waits until no power action is in progress (target_power_state cleared). */
    protected JsonObject awaitPowerSettled(String uuid, long timeoutMs) {
        return awaitNode(uuid, n -> n.getValue("target_power_state") == null, timeoutMs);
    }

    /** Creates an enroll-state node of {@code driver}; returns what the API answered. */
    protected JsonObject createNode(String driver, String namePrefix, JsonObject driverInfo, JsonObject extraFields) {
        JsonObject body = new JsonObject()
                .put("driver", driver)
                .put("name", namePrefix + "-" + UUID.randomUUID().toString().substring(0, 8))
                .put("driver_info", driverInfo)
                .mergeIn(extraFields);
        JsonObject created = expect(201, HttpMethod.POST, "/v1/nodes", body).json();
        assertPasswordsMasked(created.getJsonObject("driver_info"), created);
        return created;
    }

    // ---- notifications ----

    /** The node's notifications in order: event type, and the payload for the checks on it. */
    public record Event(String type, String priority, JsonObject payload) {}

    protected List<Event> events(String uuid) {
        List<Event> out = new ArrayList<>();
        try (PreparedStatement ps = jdbc().prepareStatement(
                        "SELECT event_type, priority, payload::text FROM events WHERE node_uuid = ? ORDER BY seq")) {
            ps.setObject(1, UUID.fromString(uuid));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Event(rs.getString(1), rs.getString(2), new JsonObject(rs.getString(3))));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        for (Event e : out) {
            assertSafe(e.payload().encode());
            if (e.payload().getValue("driver_info") instanceof JsonObject di) {
                assertPasswordsMasked(di, e);
            }
        }
        return out;
    }

    /** power_set.* events of the node, as "start:power on" strings (type suffix and to_power). */
    protected List<String> powerEvents(String uuid) {
        List<String> out = new ArrayList<>();
        for (Event e : events(uuid)) {
            if (e.type().startsWith("baremetal.node.power_set.")) {
                out.add(e.type().substring("baremetal.node.power_set.".length()) + ":"
                        + e.payload().getString("to_power"));
            }
        }
        return out;
    }

    protected synchronized Connection jdbc() throws SQLException {
        if (jdbc == null || jdbc.isClosed()) {
            jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        }
        return jdbc;
    }

    /** Every {@code *_password} of a driver_info shows as {@code ******}. */
    private static void assertPasswordsMasked(JsonObject driverInfo, Object where) {
        if (driverInfo == null) {
            return;
        }
        for (String key : driverInfo.fieldNames()) {
            if (key.endsWith("_password")) {
                assertEquals("******", driverInfo.getString(key), () -> key + " in " + where);
            }
        }
    }

    protected static void assertSafe(String text) {
        for (String s : SECRETS) {
            // "password" is also in key names (ipmi_password, redfish_password): look for it as a JSON value only
            String needle = s.equals(PASSWORD) ? "\"" + s + "\"" : s;
            assertFalse(text.contains(needle), () -> "secret leaked: " + text);
        }
    }
}
