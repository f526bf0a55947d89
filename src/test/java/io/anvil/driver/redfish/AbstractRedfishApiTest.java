package io.anvil.driver.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One Anvil (fresh database, ephemeral API port) plus simulated Redfish fleets, for end-to-end tests of the
 * {@code redfish} hardware type through the REST API. Every test uses its own BMC so that the client's per-BMC
 * governor never couples tests. Waits are on futures and Vert.x timers, never sleeps.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractRedfishApiTest {
    static final long TIMEOUT_S = 30;
    static final String PASSWORD = "password";

    protected Vertx vertx;
    protected Anvil anvil;
    protected HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    protected io.anvil.testsupport.OnContext calls;

    protected DatabaseUrl db;
    private final List<RedfishFleet> fleets = new ArrayList<>();
    private Connection jdbc;

    @BeforeAll
    void startAnvil(Vertx vertx) {
        this.vertx = vertx;
        db = TestServices.freshDatabase();
        Map<String, Object> cfg = io.anvil.testsupport.AnvilInstance.testConfig(
                db, "anvil-test-" + getClass().getSimpleName().toLowerCase());
        // quick retries and task polls: the faults below answer 503 on every try
        cfg.put("redfish.connection_attempts", 3);
        cfg.put("redfish.connection_retry_interval", 0.05);
        cfg.put("redfish.task_poll_interval", 0.05);
        cfg.putAll(extraConfig());
        anvil = await(Anvil.start(vertx, AnvilConfig.of(cfg)));
        http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(anvil.apiPort())
                .setKeepAlive(true));
        calls = io.anvil.testsupport.OnContext.of(vertx);
    }

    protected Map<String, Object> extraConfig() {
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
        for (RedfishFleet f : fleets) {
            await(f.close().recover(e -> Future.succeededFuture()));
        }
        if (jdbc != null) {
            jdbc.close();
        }
    }

    /** Starts a fleet on ephemeral ports, closed after the class. */
    RedfishFleet fleet(RedfishFleetOptions options) {
        RedfishFleet f =
                await(RedfishFleet.start(vertx, options.host("127.0.0.1").basePort(0)));
        fleets.add(f);
        return f;
    }

    static <T> T await(Future<T> f) {
        return await(f, TIMEOUT_S);
    }

    static <T> T await(Future<T> f, long seconds) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    void vertxDelay(long ms) {
        await(Future.<Void>future(p -> vertx.setTimer(ms, id -> p.complete())));
    }

    // ---- HTTP ----

    record Resp(int status, Buffer body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        /** Ironic's double-encoded faultstring. */
        String fault() {
            return new JsonObject(json().getString("error_message")).getString("faultstring");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Future<Resp> send(HttpMethod method, String path, Object body) {
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

    Resp call(HttpMethod method, String path, Object body) {
        Resp r = await(send(method, path, body));
        assertSafe(r.body().toString());
        return r;
    }

    Resp expect(int status, HttpMethod method, String path, Object body) {
        Resp r = call(method, path, body);
        assertEquals(status, r.status(), () -> method + " " + path + " -> " + r);
        return r;
    }

    JsonObject node(String uuid) {
        return expect(200, HttpMethod.GET, "/v1/nodes/" + uuid, null).json();
    }

    Resp power(String uuid, String target) {
        return call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", target));
    }

    Resp provision(String uuid, String target) {
        return call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/provision", new JsonObject().put("target", target));
    }

    /** Polls the node (every 50 ms, on Vert.x timers) until {@code done} holds; fails after {@code timeoutMs}. */
    JsonObject awaitNode(String uuid, Predicate<JsonObject> done, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        JsonObject n;
        while (!done.test(n = node(uuid))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + uuid + " did not reach the expected state within " + timeoutMs
                        + " ms: " + n.encode());
            }
            vertxDelay(50);
        }
        return n;
    }

    /** Waits until no power action is in progress (target_power_state cleared). */
    JsonObject awaitPowerSettled(String uuid, long timeoutMs) {
        return awaitNode(uuid, n -> n.getValue("target_power_state") == null, timeoutMs);
    }

    /** Driver info of an admin/password redfish node on {@code bmc}, verified against the fleet's CA. */
    static JsonObject driverInfo(RedfishFleet fleet, SimulatedRedfishBmc bmc) {
        JsonObject info = new JsonObject()
                .put("redfish_address", bmc.address())
                .put("redfish_username", "admin")
                .put("redfish_password", PASSWORD);
        if (fleet.tls()) {
            info.put("redfish_verify_ca", fleet.caFile().toString());
        }
        return info;
    }

    /** Creates an enroll-state redfish node; returns its UUID. */
    String createRedfishNode(JsonObject driverInfo) {
        return createRedfishNode(driverInfo, new JsonObject());
    }

    String createRedfishNode(JsonObject driverInfo, JsonObject extraFields) {
        JsonObject body = new JsonObject()
                .put("driver", "redfish")
                .put("name", "rf-" + UUID.randomUUID().toString().substring(0, 8))
                .put("driver_info", driverInfo)
                .mergeIn(extraFields);
        JsonObject created = expect(201, HttpMethod.POST, "/v1/nodes", body).json();
        assertEquals("redfish", created.getString("power_interface"));
        assertEquals("redfish", created.getString("management_interface"));
        if (driverInfo.containsKey("redfish_password")) {
            assertEquals("******", created.getJsonObject("driver_info").getString("redfish_password"));
        }
        return created.getString("uuid");
    }

    /** The node's notifications in order: event type, and the payload for the checks on it. */
    record Event(String type, String priority, JsonObject payload) {}

    List<Event> events(String uuid) {
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
            Object info = e.payload().getValue("driver_info");
            if (info instanceof JsonObject di && di.containsKey("redfish_password")) {
                assertEquals("******", di.getString("redfish_password"), "password in " + e);
            }
        }
        return out;
    }

    /** power_set.* events of the node, as "start:power on" strings (type suffix and to_power). */
    List<String> powerEvents(String uuid) {
        List<String> out = new ArrayList<>();
        for (Event e : events(uuid)) {
            if (e.type().startsWith("baremetal.node.power_set.")) {
                out.add(e.type().substring("baremetal.node.power_set.".length()) + ":"
                        + e.payload().getString("to_power"));
            }
        }
        return out;
    }

    synchronized Connection jdbc() throws SQLException {
        if (jdbc == null || jdbc.isClosed()) {
            jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        }
        return jdbc;
    }

    /** Passwords used by these tests must never reach a response, an event or an error. */
    static final List<String> SECRETS = List.of(PASSWORD, "Wr0ng-S3cret", "operpass", "userpass");

    static void assertSafe(String text) {
        for (String s : SECRETS) {
            // "password" is also a key name (redfish_password): look for it as a JSON value only
            String needle = s.equals(PASSWORD) ? "\"" + s + "\"" : s;
            assertFalse(text.contains(needle), () -> "secret leaked: " + text);
        }
    }
}
