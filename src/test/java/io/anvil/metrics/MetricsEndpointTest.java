package io.anvil.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.OnContext;
import io.vertx.core.Future;
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
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /metrics} after real activity (docs/operations.md#metrics): API requests, node locks taken by API writes,
 * an IPMI power-on against a simulated BMC, an agent heartbeat and periodic runs each show up in their series, and the
 * whole exposition parses as Prometheus' text format line by line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointTest {
    private AnvilInstance anvil;
    private Vertx vertx;
    private HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    private OnContext calls;

    private SimulatedFleet fleet;

    @BeforeAll
    void start() throws Exception {
        // the power sync runs every 200 ms, so periodic runs are there to see
        anvil = AnvilInstance.start(Map.of("conductor.sync_power_state_interval", 0.2));
        vertx = anvil.anvil().vertx();
        http = vertx.createHttpClient(
                new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(anvil.port()));
        calls = OnContext.of(vertx);
        fleet = await(SimulatedFleet.start(
                vertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0)));
    }

    @AfterAll
    void stop() throws Exception {
        if (fleet != null) {
            await(fleet.close());
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    record Resp(int status, MultiMap headers, Buffer body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private Resp call(HttpMethod method, String path, Object body) {
        RequestOptions o =
                new RequestOptions().setMethod(method).setURI(path).putHeader("X-OpenStack-Ironic-API-Version", "1.78");
        if (body != null) {
            o.putHeader("Content-Type", "application/json");
        }
        return await(calls.call(() -> http.request(o)
                .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body.toString())))
                .compose(r -> r.body().map(b -> new Resp(r.statusCode(), r.headers(), b)))));
    }

    private PrometheusText scrape() {
        Resp r = call(HttpMethod.GET, "/metrics", null);
        assertEquals(200, r.status(), r::toString);
        assertTrue(r.headers().get("Content-Type").startsWith("text/plain; version=0.0.4"), r.headers()::toString);
        return PrometheusText.parse(r.body().toString());
    }

    static <T> T await(Future<T> f) {
        return io.anvil.testsupport.Conditions.result(f, java.time.Duration.ofSeconds(30));
    }

    private void sql(String statement, Object... args) throws Exception {
        var db = anvil.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void httpRequestsAreCountedByRouteTemplateAndStatus() {
        String uuid = call(HttpMethod.POST, "/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .json()
                .getString("uuid");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, call(HttpMethod.GET, "/v1/nodes/" + uuid, null).status());
        }
        assertEquals(404, call(HttpMethod.GET, "/v1/nodes/no-such-node", null).status());
        assertEquals(
                404,
                call(HttpMethod.GET, "/no/such/path/" + UUID.randomUUID(), null).status());

        PrometheusText m = scrape();
        String requests = "anvil_http_server_requests_seconds_count";
        assertTrue(m.value(requests, "method", "GET", "route", "/v1/nodes/:node", "status", "200") >= 3);
        assertTrue(m.value(requests, "method", "GET", "route", "/v1/nodes/:node", "status", "404") >= 1);
        assertTrue(m.value(requests, "method", "POST", "route", "/v1/nodes", "status", "201") >= 1);
        assertTrue(m.value(requests, "method", "GET", "route", "unmatched", "status", "404") >= 1);
        // a latency histogram: buckets up to +Inf, which counts every request
        double inf = m.value(
                "anvil_http_server_requests_seconds_bucket", "route", "/v1/nodes/:node", "status", "200", "le", "+Inf");
        assertTrue(inf >= 3);
        assertTrue(
                m.samples(requests).stream().noneMatch(s -> s.label("route").contains(uuid)),
                "never a concrete path as a label");
    }

    @Test
    void aLockTakenByAnApiWriteShowsInTheLockSeries() {
        String uuid = call(HttpMethod.POST, "/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .json()
                .getString("uuid");
        double grants = scrape().value("anvil_lock_grants_total");
        // an API write queues (bounded) in the node's fair lock queue: a queued acquire, granted at once
        assertEquals(
                202,
                call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "x"))
                        .status());
        PrometheusText m = scrape();
        assertTrue(m.value("anvil_lock_grants_total") > grants);
        assertTrue(m.value("anvil_lock_wait_seconds_count", "outcome", "granted") >= 1);
        for (String series : new String[] {
            "anvil_lock_leases_lost_total",
            "anvil_lock_handoff_seconds_count",
            "anvil_lock_queue_length_count",
            "anvil_lock_waiters",
            "anvil_lock_held",
            "anvil_workers_busy"
        }) {
            assertTrue(m.has(series), series);
        }
        assertEquals(0, m.value("anvil_lock_leases_lost_total"));
        assertEquals(285, m.value("anvil_workers_size", "share", "normal"), "300 slots less the 5 % reserved");
        assertEquals(15, m.value("anvil_workers_size", "share", "reserved"));
    }

    @Test
    void anIpmiPowerOnShowsInTheIpmiSeries() {
        SimulatedBmc bmc = fleet.bmc(0);
        JsonObject info = new JsonObject()
                .put("ipmi_address", "127.0.0.1")
                .put("ipmi_port", bmc.port())
                .put("ipmi_username", "admin")
                .put("ipmi_password", "password");
        String uuid = call(
                        HttpMethod.POST,
                        "/v1/nodes",
                        new JsonObject().put("driver", "ipmi").put("driver_info", info))
                .json()
                .getString("uuid");
        assertEquals(
                202,
                call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"))
                        .status());
        Conditions.await(
                vertx, "the node is powered on", Duration.ofSeconds(30), Duration.ofMillis(50), () -> "power on"
                        .equals(call(HttpMethod.GET, "/v1/nodes/" + uuid, null)
                                .json()
                                .getString("power_state")));
        assertEquals(PowerState.ON, bmc.power());

        PrometheusText m = scrape();
        assertTrue(
                m.value("anvil_ipmi_operations_seconds_count", "operation", "chassisControl_POWER_UP", "outcome", "ok")
                        >= 1);
        assertTrue(
                m.value("anvil_ipmi_operations_seconds_count", "operation", "getChassisStatus", "outcome", "ok") >= 1);
        assertTrue(m.value("anvil_ipmi_sessions_opened_total") >= 1);
        assertFalse(m.has("anvil_ipmi_circuit_state"), "a closed circuit has no series (CircuitStateSeriesTest)");
        for (String series : new String[] {
            "anvil_ipmi_sessions_open",
            "anvil_ipmi_retransmits_total",
            "anvil_ipmi_timeouts_total",
            "anvil_ipmi_circuit_opened_total",
            "anvil_ipmi_circuit_rejections_total"
        }) {
            assertTrue(m.has(series), series);
        }
    }

    @Test
    void aHeartbeatShowsInTheAgentSeries() throws Exception {
        String uuid = call(HttpMethod.POST, "/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .json()
                .getString("uuid");
        sql(
                "UPDATE nodes SET provision_state = 'active', driver_internal_info = '{\"agent_secret_token\": \"tok\"}'"
                        + " WHERE uuid = ?",
                UUID.fromString(uuid));
        double before = scrape().value("anvil_agent_heartbeats_total", "result", "accepted");
        Resp hb = call(
                HttpMethod.POST,
                "/v1/heartbeat/" + uuid,
                new JsonObject()
                        .put("callback_url", "http://127.0.0.1:9999")
                        .put("agent_version", "9.0")
                        .put("agent_token", "tok"));
        assertEquals(202, hb.status(), hb::toString);
        PrometheusText m = scrape();
        assertEquals(before + 1, m.value("anvil_agent_heartbeats_total", "result", "accepted"));
        assertTrue(m.value(
                        "anvil_http_server_requests_seconds_count",
                        "route",
                        "/v1/heartbeat/:node_ident",
                        "status",
                        "202")
                >= 1);
    }

    @Test
    void periodicRunsAreTimedPerTask() {
        Conditions.await(
                vertx, "the power sync ran", Duration.ofSeconds(30), Duration.ofMillis(100), () -> scrape()
                        .samples("anvil_periodic_duration_seconds_count", s -> "sync_power_states"
                                .equals(s.label("task")))
                        .stream()
                        .anyMatch(s -> s.value() >= 1));
        PrometheusText m = scrape();
        assertTrue(m.has("anvil_periodic_overruns_total"));
        assertTrue(m.has("anvil_periodic_failures_total"));
        assertEquals(0, m.value("anvil_periodic_failures_total", "task", "sync_power_states"));
        // the power sync's cap: how many checks run, how many wait for a slot, how many found their node busy
        assertTrue(m.has("anvil_power_sync_checks_in_flight"));
        assertEquals(0, m.value("anvil_power_sync_checks_waiting"), "no node waits for a slot here");
        assertTrue(m.has("anvil_power_sync_checks_busy_total"));
    }

    /** Ironic's default: sensor data is not collected unless sensor_data.send_sensor_data is set. */
    @Test
    void sensorDataIsOffByDefault() {
        assertTrue(
                anvil.anvil().periodics().scheduler().disabled().contains("send_sensor_data"),
                () -> "disabled: " + anvil.anvil().periodics().scheduler().disabled());
        assertFalse(anvil.anvil().periodics().scheduler().tasks().containsKey("send_sensor_data"));
        assertFalse(call(HttpMethod.GET, "/metrics", null).body().toString().contains("anvil_sensor_"));
    }

    @Test
    void theExpositionIsPrometheusTextLineByLine() {
        call(HttpMethod.GET, "/v1/nodes", null);
        Resp r = call(HttpMethod.GET, "/metrics", null);
        String body = r.body().toString();
        assertFalse(body.isEmpty());
        for (String line : body.split("\n")) {
            assertTrue(
                    line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+( -?\\d+)?"),
                    () -> "not a comment nor a sample: " + line);
        }
        PrometheusText m = PrometheusText.parse(body);
        assertTrue(m.has("jvm_memory_used_bytes"), "JVM figures too");
        assertTrue(m.has("process_uptime_seconds"));
    }
}
