package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.fsm.ApiVerb;
import io.anvil.lock.LockInfo;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One Anvil conductor per test class on a brand-new migrated database and the shared real Redis. Tests call the
 * conductor services directly (same package: package-private hooks are reachable) or over HTTP, wait on futures
 * (never sleep; a pause between checks is a Vert.x timer) and check PostgreSQL over JDBC.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConductorTestBase {
    static final String API_VERSION = "1.78";
    static final Duration T = Duration.ofSeconds(30);

    protected Vertx vertx;
    protected Anvil anvil;
    protected HttpClient client;
    /** Every request is issued from this one context (see OnContext). */
    protected io.anvil.testsupport.OnContext calls;

    protected DatabaseUrl db;
    private Connection jdbc;

    /** Extra configuration for this class's Anvil (flat keys as in conf/anvil.yaml). */
    protected Map<String, Object> extraConfig() {
        return Map.of();
    }

    @BeforeAll
    void startAnvil(Vertx vertx) {
        this.vertx = vertx;
        db = TestServices.freshDatabase();
        Map<String, Object> cfg = io.anvil.testsupport.AnvilInstance.testConfig(
                db, "cond-" + getClass().getSimpleName().toLowerCase());
        cfg.putAll(extraConfig());
        anvil = await(Anvil.start(vertx, AnvilConfig.of(cfg)));
        // room for the requests a test sends at once (httpAsync), not the default five connections
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(anvil.apiPort())
                        .setKeepAlive(true),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
        calls = io.anvil.testsupport.OnContext.of(vertx);
    }

    @AfterAll
    void stopAnvil() throws SQLException {
        if (jdbc != null) {
            jdbc.close();
        }
        if (client != null) {
            await(client.close());
        }
        if (anvil != null) {
            await(anvil.stop());
        }
    }

    Conductor conductor() {
        return anvil.conductor();
    }

    TaskManager tasks() {
        return anvil.conductor().tasks();
    }

    Provisioning provisioning() {
        return anvil.conductor().provisioning();
    }

    String host() {
        return tasks().host();
    }

    // ---- futures ----

    static <T> T await(Future<T> f) {
        return await(f, T);
    }

    static <T> T await(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future not completed within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The failure of {@code f}, which must fail within {@code timeout}. */
    static Throwable failure(Future<?> f, Duration timeout) {
        try {
            Object v = f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future not completed within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Throwable failure(Future<?> f) {
        return failure(f, T);
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> E failureOf(Class<E> type, Future<?> f) {
        Throwable e = failure(f);
        assertTrue(type.isInstance(e), () -> "expected " + type.getSimpleName() + " but got " + e);
        return (E) e;
    }

    /** A Vert.x timer as a future: the only way tests let time pass. */
    Future<Void> delay(long ms) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    /** Re-checks {@code cond} (on the test thread) every 20 ms, pausing on a Vert.x timer, until true or timeout. */
    void waitUntil(String what, BooleanSupplier cond, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not reached within " + timeout + ": " + what);
            }
            await(delay(20));
        }
    }

    void waitUntil(String what, BooleanSupplier cond) {
        waitUntil(what, cond, T);
    }

    void waitForState(String uuid, String state) {
        waitUntil(
                uuid + " in \"" + state + "\" (now " + node(uuid).get("provision_state") + ")",
                () -> state.equals(node(uuid).get("provision_state"))
                        && node(uuid).get("reservation") == null);
    }

    // ---- nodes ----

    /** Creates a fake-hardware node through the API (enroll), then moves it to {@code state} in SQL. */
    String createNode(String state, JsonObject driverInfo) {
        JsonObject body = new JsonObject()
                .put("driver", "fake-hardware")
                .put("name", "n-" + UUID.randomUUID().toString().substring(0, 8))
                .put("driver_info", driverInfo == null ? new JsonObject() : driverInfo);
        Resp r = http(HttpMethod.POST, "/v1/nodes", body);
        assertEquals(201, r.status(), r::toString);
        String uuid = r.json().getString("uuid");
        if (!state.equals("enroll")) {
            sql("UPDATE nodes SET provision_state = ?, target_provision_state = NULL WHERE uuid = ?", state, uuid);
        }
        return uuid;
    }

    String createNode(String state) {
        return createNode(state, null);
    }

    /** The node's row, as JDBC reads it (timestamps and JSON as text). */
    Map<String, Object> node(String uuid) {
        List<Map<String, Object>> rows = rows(
                "SELECT provision_state, target_provision_state, power_state,"
                        + " target_power_state, last_error, reservation, lock_fence, maintenance, provision_updated_at::text"
                        + " AS provision_updated_at, updated_at::text AS updated_at, driver_internal_info::text AS"
                        + " driver_internal_info, instance_info::text AS instance_info FROM nodes WHERE uuid = ?",
                uuid);
        assertEquals(1, rows.size(), "node " + uuid);
        return rows.get(0);
    }

    /** Every event row of the node in seq order: seq, event_type, priority, payload (JsonObject). */
    List<Map<String, Object>> events(String uuid) {
        List<Map<String, Object>> rows = rows(
                "SELECT seq, event_type, priority, payload::text AS payload FROM events"
                        + " WHERE node_uuid = ? ORDER BY seq",
                uuid);
        rows.forEach(r -> r.put("payload", new JsonObject((String) r.get("payload"))));
        return rows;
    }

    /** The event types of the node with {@code prefix}, in seq order. */
    List<String> eventTypes(String uuid, String prefix) {
        return events(uuid).stream()
                .map(e -> (String) e.get("event_type"))
                .filter(t -> t.startsWith(prefix))
                .toList();
    }

    LockInfo lockInfo(String uuid) {
        return await(tasks().locks().inspect(uuid));
    }

    boolean lockFree(String uuid) {
        LockInfo info = lockInfo(uuid);
        return info.isFree() && info.queueLength() == 0;
    }

    Future<Void> provision(String uuid, ApiVerb verb) {
        return provisioning().provision(uuid, verb, new JsonObject());
    }

    /** Takes every worker slot (the reserved share too when {@code reserved}); release them after the test. */
    List<WorkerPool.Slot> occupyWorkers(boolean reserved) {
        List<WorkerPool.Slot> slots = new ArrayList<>();
        while (true) {
            var s = tasks().workers().tryAcquire(reserved);
            if (s.isEmpty()) {
                return slots;
            }
            slots.add(s.get());
        }
    }

    static void releaseAll(List<WorkerPool.Slot> slots) {
        slots.forEach(WorkerPool.Slot::release);
    }

    // ---- HTTP ----

    record Resp(int status, Buffer body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        /** The inner fault of Ironic's double-encoded error body, checked for shape. */
        JsonObject fault() {
            JsonObject outer = json();
            assertEquals(List.of("error_message"), new ArrayList<>(outer.fieldNames()), "error body keys: " + outer);
            assertTrue(outer.getValue("error_message") instanceof String, "error_message must be a string: " + outer);
            JsonObject inner = new JsonObject(outer.getString("error_message"));
            assertEquals(status < 500 ? "Client" : "Server", inner.getString("faultcode"), inner.encode());
            assertTrue(inner.containsKey("debuginfo") && inner.getValue("debuginfo") == null, inner.encode());
            return inner;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Resp http(HttpMethod method, String path, JsonObject body) {
        return httpRaw(method, path, body == null ? null : body.toBuffer());
    }

    /** A request with a JSON body given as text (a JSON Patch is an array); null sends none. */
    Resp httpRaw(HttpMethod method, String path, Buffer body) {
        return await(httpAsync(method, path, body));
    }

    /** {@link #httpRaw} without waiting for the answer. */
    Future<Resp> httpAsync(HttpMethod method, String path, Buffer body) {
        RequestOptions opts = new RequestOptions()
                .setMethod(method)
                .setURI(path)
                .putHeader("X-OpenStack-Ironic-API-Version", API_VERSION);
        if (body != null) {
            opts.putHeader("Content-Type", "application/json");
        }
        return calls.call(() -> client.request(opts).compose(req -> (body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b)))));
    }

    Resp putProvision(String uuid, JsonObject body) {
        return http(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/provision", body);
    }

    Resp putProvision(String uuid, String target) {
        return putProvision(uuid, new JsonObject().put("target", target));
    }

    Resp putPower(String uuid, String target) {
        return http(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", target));
    }

    JsonObject getLock(String uuid) {
        Resp r = http(HttpMethod.GET, "/v1/nodes/" + uuid + "/lock", null);
        assertEquals(200, r.status(), r::toString);
        return r.json();
    }

    // ---- SQL ----

    synchronized Connection jdbc() throws SQLException {
        if (jdbc == null || jdbc.isClosed()) {
            jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        }
        return jdbc;
    }

    synchronized int sql(String statement, Object... params) {
        try (PreparedStatement ps = jdbc().prepareStatement(statement)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(statement + ": " + e.getMessage(), e);
        }
    }

    synchronized void ddl(String statement) {
        try (var s = jdbc().createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new AssertionError(statement + ": " + e.getMessage(), e);
        }
    }

    synchronized List<Map<String, Object>> rows(String query, Object... params) {
        try (PreparedStatement ps = jdbc().prepareStatement(query)) {
            bind(ps, params);
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError(query + ": " + e.getMessage(), e);
        }
    }

    long count(String query, Object... params) {
        return ((Number) rows(query, params).get(0).values().iterator().next()).longValue();
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof String s && s.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                ps.setObject(i + 1, UUID.fromString(s));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    /** Runs {@code body} on the event loop and returns its future (for work that must start on a Vert.x context). */
    <X> Future<X> onLoop(Supplier<Future<X>> body) {
        Promise<X> p = Promise.promise();
        vertx.runOnContext(v -> body.get().onComplete(p));
        return p.future();
    }
}
