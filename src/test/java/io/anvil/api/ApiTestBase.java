package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One Anvil per test class on a brand-new migrated database, listening on an ephemeral port, and a Vert.x HTTP
 * client kept in a field. Tests call the API synchronously by waiting on the client's futures, and read or poke
 * the database directly over JDBC to check what was (not) written.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiTestBase {
    static final String LATEST = "latest";
    static final long TIMEOUT_S = 20;

    protected Vertx vertx;
    protected Anvil anvil;
    protected HttpClient client;
    /** Every request is issued from this one context (see OnContext). */
    protected io.anvil.testsupport.OnContext calls;

    protected DatabaseUrl db;
    protected String base;

    /**
     * {@code http_basic} with a generated htpasswd file: every user in {@code users} has {@code password};
     * {@code roles} as {@code api.http_basic_roles} ("user=role[:project]"; unlisted users are admins).
     */
    protected static Map<String, Object> httpBasic(String password, List<String> users, List<String> roles) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("anvil-auth");
            Map<String, String> passwords = new java.util.LinkedHashMap<>();
            users.forEach(u -> passwords.put(u, password));
            return Map.of(
                    "api.auth_strategy",
                    "http_basic",
                    "api.http_basic_auth_user_file",
                    io.anvil.testsupport.TestCredentials.htpasswd(dir, passwords)
                            .toString(),
                    "api.http_basic_roles",
                    roles);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Extra configuration for this class's Anvil (flat keys as in conf/anvil.yaml). */
    protected Map<String, Object> extraConfig() {
        return Map.of();
    }

    /** Runs on the fresh database before Anvil starts (e.g. to seed rows read once at start-up). */
    protected void prepareDatabase() {}

    @BeforeAll
    void startAnvil(Vertx vertx) {
        this.vertx = vertx;
        db = TestServices.freshDatabase();
        prepareDatabase();
        Map<String, Object> cfg = io.anvil.testsupport.AnvilInstance.testConfig(
                db, "anvil-test-" + getClass().getSimpleName().toLowerCase());
        cfg.putAll(extraConfig());
        anvil = await(Anvil.start(vertx, AnvilConfig.of(cfg)));
        client = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(anvil.apiPort())
                .setKeepAlive(true));
        calls = io.anvil.testsupport.OnContext.of(vertx);
        base = "http://127.0.0.1:" + anvil.apiPort();
    }

    @AfterAll
    void stopAnvil() {
        if (client != null) {
            await(client.close());
        }
        if (anvil != null) {
            await(anvil.stop());
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    // ---- HTTP ----

    /** An HTTP response, fully read. */
    record Resp(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            assertTrue(body.length() > 0, "expected a JSON body, got none (status " + status + ")");
            return new JsonObject(body);
        }

        String header(String name) {
            return headers.get(name);
        }

        /** The inner fault of Ironic's double-encoded error body, checked for shape. */
        JsonObject fault() {
            JsonObject outer = json();
            assertEquals(List.of("error_message"), new ArrayList<>(outer.fieldNames()), "error body keys: " + outer);
            Object raw = outer.getValue("error_message");
            assertTrue(raw instanceof String, "error_message must be a JSON-encoded string: " + outer);
            JsonObject inner = new JsonObject((String) raw);
            assertEquals(status < 500 ? "Client" : "Server", inner.getString("faultcode"), inner.encode());
            assertTrue(inner.containsKey("debuginfo") && inner.getValue("debuginfo") == null, inner.encode());
            assertTrue(inner.getValue("faultstring") instanceof String, inner.encode());
            return inner;
        }

        String faultString() {
            return fault().getString("faultstring");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A request under construction. */
    final class Req {
        private final HttpMethod method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Buffer body;

        Req(HttpMethod method, String path) {
            this.method = method;
            this.path = path;
        }

        Req v(String version) {
            headers.put("X-OpenStack-Ironic-API-Version", version);
            return this;
        }

        Req header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Req body(Object json) {
            if (json instanceof JsonObject o) {
                body = o.toBuffer();
            } else if (json instanceof JsonArray a) {
                body = a.toBuffer();
            } else if (json instanceof Buffer b) {
                body = b;
            } else {
                body = Buffer.buffer(String.valueOf(json));
            }
            headers.putIfAbsent("Content-Type", "application/json");
            return this;
        }

        Resp send() {
            return await(sendAsync());
        }

        /** Sends without waiting, for requests that must be in flight while the test does something else. */
        Future<Resp> sendAsync() {
            RequestOptions opts = new RequestOptions().setMethod(method).setURI(path);
            headers.forEach(opts::putHeader);
            return calls.call(() -> client.request(opts).compose(req -> (body == null ? req.send() : req.send(body))
                    .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), resp.headers(), b)))));
        }

        /** Sends and asserts the status, with the body in the failure message. */
        Resp expect(int status) {
            Resp r = send();
            assertEquals(status, r.status(), () -> method + " " + path + " -> " + r);
            return r;
        }
    }

    /** Waits {@code ms} on a Vert.x timer (never Thread.sleep), for polling loops with a bound. */
    void vertxDelay(long ms) {
        await(Future.<Void>future(p -> vertx.setTimer(ms, id -> p.complete())));
    }

    Req get(String path) {
        return new Req(HttpMethod.GET, path);
    }

    Req post(String path, Object body) {
        return new Req(HttpMethod.POST, path).body(body);
    }

    Req patch(String path, Object body) {
        return new Req(HttpMethod.PATCH, path).body(body);
    }

    Req put(String path, Object body) {
        Req r = new Req(HttpMethod.PUT, path);
        return body == null ? r : r.body(body);
    }

    Req delete(String path) {
        return new Req(HttpMethod.DELETE, path);
    }

    /** Asserts an Ironic error: status, double-encoded body, version headers, and a message fragment. */
    static String assertError(Resp r, int status, String fragment) {
        assertEquals(status, r.status(), () -> "expected " + status + " but got " + r);
        assertEquals("1.1", r.header("X-OpenStack-Ironic-API-Minimum-Version"), "min version header on error");
        assertEquals("1.78", r.header("X-OpenStack-Ironic-API-Maximum-Version"), "max version header on error");
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        String msg = r.faultString();
        if (fragment != null) {
            assertTrue(msg.contains(fragment), () -> "fault \"" + msg + "\" should contain \"" + fragment + "\"");
        }
        return msg;
    }

    static JsonArray patchOps(JsonObject... ops) {
        JsonArray a = new JsonArray();
        for (JsonObject o : ops) {
            a.add(o);
        }
        return a;
    }

    static JsonObject op(String op, String path, Object value) {
        JsonObject o = new JsonObject().put("op", op).put("path", path);
        if (!op.equals("remove")) {
            o.put("value", value);
        }
        return o;
    }

    static JsonObject remove(String path) {
        return new JsonObject().put("op", "remove").put("path", path);
    }

    /** Asserts Ironic's links: self under /v1 and bookmark without it. */
    void assertLinks(JsonArray links, String path) {
        assertNotNull(links, "links missing");
        assertEquals(2, links.size(), links.encode());
        assertEquals(new JsonObject().put("href", base + "/v1/" + path).put("rel", "self"), links.getJsonObject(0));
        assertEquals(new JsonObject().put("href", base + "/" + path).put("rel", "bookmark"), links.getJsonObject(1));
    }

    // ---- resources ----

    JsonObject createNode(JsonObject body) {
        return post("/v1/nodes", body).v(LATEST).expect(201).json();
    }

    JsonObject createNode(String name) {
        return createNode(new JsonObject().put("driver", "fake-hardware").put("name", name));
    }

    // ---- SQL ----

    private Connection jdbc;

    /** One autocommit JDBC connection per class, opened on first use. */
    synchronized Connection jdbc() throws SQLException {
        if (jdbc == null || jdbc.isClosed()) {
            jdbc = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        }
        return jdbc;
    }

    @AfterAll
    void closeJdbc() throws SQLException {
        if (jdbc != null) {
            jdbc.close();
        }
    }

    /** Runs an update (e.g. to put a node in a state provisioning cannot reach yet); returns rows changed. */
    int sql(String statement, Object... params) {
        try (PreparedStatement ps = jdbc().prepareStatement(statement)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(statement + ": " + e.getMessage(), e);
        }
    }

    /** The first column of each row. */
    List<Object> column(String query, Object... params) {
        try (PreparedStatement ps = jdbc().prepareStatement(query)) {
            bind(ps, params);
            List<Object> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getObject(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError(query + ": " + e.getMessage(), e);
        }
    }

    Object scalar(String query, Object... params) {
        List<Object> col = column(query, params);
        if (col.size() != 1) {
            fail("expected one row from " + query + ", got " + col);
        }
        return col.get(0);
    }

    /**
     * A secret value as the query reads it from the database: it must be encrypted at rest (docs/security.md), and is
     * returned decrypted with this conductor's key.
     */
    Object storedSecret(String query, Object... params) {
        Object stored = scalar(query, params);
        if (!(stored instanceof String s) || !s.startsWith("anvil:enc:v1:")) {
            throw new AssertionError("not encrypted at rest: " + query + " read " + stored);
        }
        return anvil.secrets().open(stored, query);
    }

    long count(String table) {
        return ((Number) scalar("SELECT count(*) FROM " + table)).longValue();
    }

    /** Row counts of every API table, to prove a rejected request wrote nothing. */
    Map<String, Long> counts() {
        List<String> tables = List.of("nodes", "ports", "portgroups", "volume_connectors", "volume_targets", "events");
        StringBuilder q = new StringBuilder("SELECT ");
        for (int i = 0; i < tables.size(); i++) {
            q.append(i == 0 ? "" : ", ")
                    .append("(SELECT count(*) FROM ")
                    .append(tables.get(i))
                    .append(")");
        }
        Map<String, Long> m = new LinkedHashMap<>();
        try (PreparedStatement ps = jdbc().prepareStatement(q.toString());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (int i = 0; i < tables.size(); i++) {
                m.put(tables.get(i), rs.getLong(i + 1));
            }
        } catch (SQLException e) {
            throw new AssertionError(q + ": " + e.getMessage(), e);
        }
        return m;
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof String s && s.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                ps.setObject(i + 1, java.util.UUID.fromString(s));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    static void assertNoKey(JsonObject o, String key) {
        assertNull(o.getValue(key), () -> key + " should be absent from " + o.encode());
        assertTrue(!o.containsKey(key), () -> key + " should be absent from " + o.encode());
    }
}
