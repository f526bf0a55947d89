package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One Anvil conductor per test class (fresh database, real PostgreSQL and Redis), a client Vert.x of its own, and
 * helpers for the REST calls that make events and for direct writes to the events table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FeedTestBase {
    protected AnvilInstance anvil;
    protected Vertx vertx;
    protected HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    protected io.anvil.testsupport.OnContext calls;

    /** Settings of this class's conductor on top of the test defaults. */
    protected Map<String, Object> config() {
        return Map.of();
    }

    @BeforeAll
    void startAnvil() throws Exception {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("feed.poll_interval", 0.5);
        cfg.putAll(config());
        anvil = AnvilInstance.start(cfg);
        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(anvil.port())
                .setKeepAlive(true));
        calls = io.anvil.testsupport.OnContext.of(vertx);
    }

    @AfterAll
    void stopAnvil() throws Exception {
        if (vertx != null) {
            FeedTestClient.get(vertx.close());
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    record Resp(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        /** The message of Ironic's double-encoded error body. */
        String fault() {
            return new JsonObject(json().getString("error_message")).getString("faultstring");
        }
    }

    Resp call(HttpMethod method, String path, Object body, Map<String, String> headers) {
        return FeedTestClient.get(calls.call(
                () -> http.request(new RequestOptions().setMethod(method).setURI(path))
                        .compose(req -> {
                            req.putHeader("X-OpenStack-Ironic-API-Version", "latest");
                            headers.forEach(req::putHeader);
                            if (body == null) {
                                return req.send();
                            }
                            req.putHeader("Content-Type", "application/json");
                            return req.send(Buffer.buffer(body.toString()));
                        })
                        .compose(res -> res.body().map(b -> new Resp(res.statusCode(), res.headers(), b)))));
    }

    Resp get(String path) {
        return call(HttpMethod.GET, path, null, Map.of());
    }

    Resp expect(int status, HttpMethod method, String path, Object body) {
        Resp r = call(method, path, body, Map.of());
        assertEquals(status, r.status(), method + " " + path + ": " + r.body());
        return r;
    }

    /** A fake-hardware node; returns its uuid. */
    String createNode(String name, JsonObject extra) {
        JsonObject body = new JsonObject().put("driver", "fake-hardware").put("name", name);
        if (extra != null) {
            body.mergeIn(extra);
        }
        return expect(201, HttpMethod.POST, "/v1/nodes", body).json().getString("uuid");
    }

    void provision(String node, String target) {
        expect(202, HttpMethod.PUT, "/v1/nodes/" + node + "/states/provision", new JsonObject().put("target", target));
    }

    void awaitState(String node, String state) {
        Conditions.await(
                vertx,
                "node " + node + " in " + state,
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> state.equals(get("/v1/nodes/" + node).json().getString("provision_state")));
    }

    void awaitPower(String node, String power) {
        Conditions.await(vertx, "node " + node + " " + power, FeedTestClient.WAIT, Duration.ofMillis(20), () -> {
            JsonObject n = get("/v1/nodes/" + node).json();
            return power.equals(n.getString("power_state")) && n.getValue("target_power_state") == null;
        });
    }

    FeedTestClient subscribe(String query) {
        return FeedTestClient.connect(vertx, anvil.port(), query);
    }

    /** The feed's horizon right now, as the JSON page reports it (every event up to it is handed out). */
    long horizon() {
        return get("/v1/events?since=0&limit=1000&type=none.such").json().getLong("next");
    }

    Connection jdbc() throws SQLException {
        var db = anvil.database();
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    /** Inserts one event row the way the outbox does, on {@code c} (its transaction, if any). */
    static void insertEvent(Connection c, String type, String node, String level, JsonObject payload)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type, node_uuid, priority, publisher,"
                + " payload) VALUES (?, ?::uuid, ?, 'anvil-conductor.test', ?::jsonb)")) {
            ps.setString(1, type);
            ps.setString(2, node);
            ps.setString(3, level);
            ps.setString(4, payload.encode());
            ps.executeUpdate();
        }
    }
}
