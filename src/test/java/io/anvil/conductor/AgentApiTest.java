package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.agent.AgentMetrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ramdisk agent's endpoints (docs/agent.md): lookup and its one-time token (docs/architecture.md#ironic-scenarios, scenario 31), every
 * validation of a heartbeat (scenario 12) with Ironic's error body and nothing changed, the liveness a valid heartbeat
 * records, the coalescing of a heartbeat storm, and a heartbeat on a locked node (scenario 13). Liveness is flushed
 * by hand here (the periodic flush is an hour apart), so each test knows exactly which writes happened. Heartbeat
 * events are off here ({@code agent.heartbeat_event_interval: 0}, the flush's plain UPDATE); AgentHeartbeatEventTest
 * has them on.
 */
class AgentApiTest extends AgentTestSupport {
    private static final String URL = "http://10.0.0.5:9999";

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("agent.liveness_flush_interval", 3600.0, "agent.heartbeat_event_interval", 0);
    }

    private AgentMetrics metrics() {
        return anvil.agent().metrics();
    }

    // ---- lookup (scenario 31) ----

    @Test
    void firstLookupIssuesTheTokenOnceAndLaterLookupsGetAMask() {
        String[] n = nodeWithPort("wait call-back", null);
        Resp first = lookup("addresses=" + n[1].toUpperCase() + ",zz:not:a:mac", "1.62");
        assertEquals(200, first.status(), first::toString);
        JsonObject body = first.json();
        assertEquals(Set.of("node", "config"), body.fieldNames());
        JsonObject node = body.getJsonObject("node");
        assertEquals(Set.of("uuid", "properties", "instance_info", "driver_internal_info", "links"), node.fieldNames());
        assertEquals(n[0], node.getString("uuid"));
        assertEquals("******", node.getJsonObject("driver_internal_info").getString("agent_secret_token"));
        JsonObject config = body.getJsonObject("config");
        String token = config.getString("agent_token");
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "token_urlsafe(32): " + token.length() + " chars");
        assertEquals(true, config.getBoolean("agent_token_required"));
        assertEquals(300, config.getInteger("heartbeat_timeout"));
        assertEquals(token, internal(n[0]).getString("agent_secret_token"), "stored once");

        Resp second = lookup("node_uuid=" + n[0], "1.62");
        assertEquals(200, second.status(), second::toString);
        assertEquals("******", second.json().getJsonObject("config").getString("agent_token"));
        assertEquals(token, internal(n[0]).getString("agent_secret_token"), "not re-issued");
        assertFalse(second.body().toString().contains(token), "the token is never shown again");
        // below 1.62 no token is issued or shown
        String[] m = nodeWithPort("clean wait", null);
        Resp old = lookup("addresses=" + m[1], "1.61");
        assertEquals(200, old.status(), old::toString);
        assertNull(old.json().getJsonObject("config").getValue("agent_token"));
        assertNull(internal(m[0]).getValue("agent_secret_token"));
    }

    @Test
    void lookupOfANodeHeldExclusivelyAnswers409AtOnceAndIssuesNothing() {
        String[] n = nodeWithPort("wait call-back", null);
        Task console = await(tasks().acquire(n[0], TaskOptions.exclusive("console")));
        try {
            Resp r = lookup("addresses=" + n[1], "1.62");
            assertEquals(409, r.status(), r::toString);
            r.fault();
            assertNull(internal(n[0]).getValue("agent_secret_token"));
        } finally {
            await(console.release());
        }
        Resp ok = lookup("addresses=" + n[1], "1.62");
        assertEquals(200, ok.status(), ok::toString);
        assertNotNull(internal(n[0]).getString("agent_secret_token"));
    }

    @Test
    void lookupRefusals() {
        String[] avail = nodeWithPort("available", null);
        Resp notAllowed = lookup("addresses=" + avail[1], "1.62");
        assertEquals(404, notAllowed.status(), notAllowed::toString);
        assertEquals("Resource could not be found.", notAllowed.fault().getString("faultstring"));
        assertEquals(404, lookup("addresses=" + randomMac(), "1.62").status(), "unknown MAC");
        Resp incomplete = lookup("addresses=nonsense", "1.62");
        assertEquals(400, incomplete.status());
        assertEquals(
                "At least one of 'addresses' and 'node_uuid' parameters is required",
                incomplete.fault().getString("faultstring"));
        assertEquals(400, lookup("node_uuid=not-a-uuid", "1.62").status());
        assertEquals(404, lookup("addresses=" + avail[1], "1.21").status(), "lookup needs 1.22");
        assertNull(internal(avail[0]).getValue("agent_secret_token"));
    }

    @Test
    void powerOffWipesTheTokenUnlessPregenerated() {
        String plain = createNode("wait call-back");
        setAgent(plain, "t0ken-plain", URL);
        Resp r = putPower(plain, "power off");
        assertEquals(202, r.status(), r::toString);
        waitUntil("power off done", () -> "power off".equals(node(plain).get("power_state")));
        JsonObject info = internal(plain);
        assertNull(info.getValue("agent_secret_token"));
        assertNull(info.getValue("agent_url"));

        String pre = createNode("wait call-back");
        setAgent(pre, "t0ken-pre", URL);
        sql(
                "UPDATE nodes SET driver_internal_info = driver_internal_info ||"
                        + " '{\"agent_secret_token_pregenerated\": true}'::jsonb WHERE uuid = ?",
                pre);
        assertEquals(202, putPower(pre, "rebooting").status());
        waitUntil(
                "reboot done",
                () -> node(pre).get("target_power_state") == null
                        && "power on".equals(node(pre).get("power_state")));
        JsonObject kept = internal(pre);
        assertEquals("t0ken-pre", kept.getString("agent_secret_token"), "virtual media presents it again");
        assertNull(kept.getValue("agent_url"), "the next agent may have another address");
    }

    // ---- heartbeat validations (scenario 12): a clear error and nothing changed ----

    @Test
    void everyInvalidHeartbeatIsRefusedWithIronicsErrorAndChangesNothing() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "good-token", URL);
        String before = internal(uuid).encode();
        Object updatedBefore = node(uuid).get("provision_updated_at");
        long written = metrics().rowsWritten();

        expect(400, "Agent token is required for heartbeat processing.", uuid, "1.68", hb(URL, null, "10.0"));
        expect(400, "Invalid or missing agent token received.", uuid, "1.68", hb(URL, "bad-token", "10.0"));
        expect(400, "Invalid or missing agent token received.", uuid, "1.68", hb(URL, "good-token0", "10.0"));
        expect(
                400,
                "Detected change in ramdisk provided \"callback_url\"",
                uuid,
                "1.68",
                hb("http://10.0.0.6:9999", "good-token", "10.0"));
        expect(
                400,
                "Agent did not transmit a version, and a version is required. Please update the agent being used.",
                uuid,
                "1.68",
                new JsonObject().put("callback_url", URL).put("agent_token", "good-token"));
        expect(
                400,
                "An issue with the supplied \"callback_url\" has been detected.",
                uuid,
                "1.68",
                hb("ftp://10.0.0.5/x", "good-token", "10.0"));
        expect(
                400,
                "An issue with the supplied \"callback_url\" has been detected.",
                uuid,
                "1.68",
                hb("10.0.0.5:9999", "good-token", "10.0"));
        // wrong shapes
        expect(
                400,
                "Missing mandatory parameter: callback_url",
                uuid,
                "1.68",
                new JsonObject().put("agent_token", "x"));
        expect(
                400,
                "Expected string for callback_url: 42",
                uuid,
                "1.68",
                hb(URL, "good-token", "1").put("callback_url", 42));
        expect(
                400,
                "Expected string for agent_token: ******",
                uuid,
                "1.68",
                hb(URL, "good-token", "1").put("agent_token", 7));
        expect(
                400,
                "Unexpected arguments: foo",
                uuid,
                "1.68",
                hb(URL, "good-token", "10.0").put("foo", 1));
        expect(400, "The request body must be a JSON object.", uuid, "1.68", new JsonArray().add(1));
        expect(
                400,
                "Agent status is invalid. Valid states are start,end,error.",
                uuid,
                "1.72",
                hb(URL, "good-token", "10.0").put("agent_status", "dancing"));
        // fields newer than the request's microversion
        expect(400, "Field \"agent_version\" not recognised", uuid, "1.35", hb(URL, "good-token", "10.0"));
        expect(
                400,
                "Fields \"agent_status\" and \"agent_status_message\" not recognised.",
                uuid,
                "1.71",
                hb(URL, "good-token", "10.0").put("agent_status", "start"));
        expect(
                400,
                "Field \"agent_verify_ca\" not recognised in this version",
                uuid,
                "1.67",
                hb(URL, "good-token", "10.0").put("agent_verify_ca", "PEM"));
        // unknown node, old microversion
        expect(
                404,
                "Node 0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a11 could not be found.",
                "0b6c4e0e-6f69-4e8c-9d5a-0e2b4c9e1a11",
                "1.68",
                hb(URL, "good-token", "1"));
        expect(404, "Node no-such-node could not be found.", "no-such-node", "1.68", hb(URL, "good-token", "1"));
        Resp old = heartbeat(uuid, "1.21", hb(URL, "good-token", null));
        assertEquals(404, old.status(), old::toString);

        flushLiveness();
        assertEquals(before, internal(uuid).encode(), "no refused heartbeat changed the node");
        assertEquals(updatedBefore, node(uuid).get("provision_updated_at"));
        assertEquals(written, metrics().rowsWritten());
    }

    private void expect(int status, String message, String ident, String version, Object body) {
        Resp r = heartbeat(ident, version, body);
        assertEquals(status, r.status(), () -> body + " -> " + r);
        assertEquals(message, r.fault().getString("faultstring"), () -> body + " -> " + r);
        assertFalse(r.body().toString().contains("good-token"), "an error never echoes the token");
    }

    // ---- what a valid heartbeat records ----

    @Test
    void aValidHeartbeatRecordsLivenessAndResetsTheWaitClock() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "tok-1", null);
        sql("UPDATE nodes SET provision_updated_at = now() - interval '1 hour' WHERE uuid = ?", uuid);
        Object clock = node(uuid).get("provision_updated_at");
        Resp r = heartbeat(uuid, "1.68", hb(URL, "tok-1", "9.11.0"));
        assertEquals(202, r.status(), r::toString);
        assertEquals(0, r.body().length());
        flushLiveness();
        JsonObject info = internal(uuid);
        assertEquals(URL, info.getString("agent_url"));
        assertEquals("9.11.0", info.getString("agent_version"));
        assertTrue(
                info.getString("agent_last_heartbeat").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?"),
                "Ironic's isoformat: " + info.getString("agent_last_heartbeat"));
        assertNotEquals(clock, node(uuid).get("provision_updated_at"), "touch_provisioning");
        assertEquals("tok-1", info.getString("agent_secret_token"));

        // record-only states keep the clock; states outside HEARTBEAT_ALLOWED record nothing (202 all the same)
        String active = createNode("active");
        setAgent(active, "tok-2", null);
        assertEquals(202, heartbeat(active, "1.68", hb(URL, "tok-2", "9.11.0")).status());
        flushLiveness();
        assertNull(internal(active).getValue("agent_last_heartbeat"));
    }

    @Test
    void withHeartbeatEventsOffAHeartbeatMakesNoEvent() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "tok-quiet", null);
        long emitted = metrics().heartbeatEvents();
        for (int i = 0; i < 2; i++) {
            assertEquals(
                    202,
                    heartbeat(uuid, "1.68", hb(URL, "tok-quiet", "9.11." + i)).status());
            flushLiveness();
        }
        assertEquals("9.11.1", internal(uuid).getString("agent_version"), "the liveness is written");
        assertEquals(List.of(), eventTypes(uuid, "baremetal.node.heartbeat"));
        assertEquals(emitted, metrics().heartbeatEvents());
    }

    @Test
    void aHeartbeatNamesItsNodeByNameOrByAnySpellingOfItsUuid() {
        String named = createNode("wait call-back");
        sql("UPDATE nodes SET name = 'agent-node-1' WHERE uuid = ?", named);
        setAgent(named, "tok-n", null);
        String spelled = createNode("wait call-back");
        setAgent(spelled, "tok-s", null);
        assertEquals(
                202, heartbeat("agent-node-1", "1.68", hb(URL, "tok-n", "1.0")).status());
        String noDashes = spelled.replace("-", "").toUpperCase(java.util.Locale.ROOT);
        assertEquals(202, heartbeat(noDashes, "1.68", hb(URL, "tok-s", "2.0")).status());
        flushLiveness();
        assertEquals("1.0", internal(named).getString("agent_version"));
        assertEquals("2.0", internal(spelled).getString("agent_version"));
    }

    @Test
    void aHeartbeatStormCostsOneRowPerBatch() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "storm", null);
        long statements = metrics().flushStatements();
        long rows = metrics().rowsWritten();
        // 100 heartbeats a second for a second: every 10 ms
        List<Future<Resp>> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            sent.add(delay(10L * i + 1).compose(v -> client.request(HttpMethod.POST, "/v1/heartbeat/" + uuid)
                    .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", "1.68")
                            .putHeader("Content-Type", "application/json")
                            .send(hb(URL, "storm", "v" + n).toBuffer()))
                    .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b)))));
        }
        for (Future<Resp> f : sent) {
            assertEquals(202, await(f).status());
        }
        flushLiveness();
        assertEquals(1, metrics().flushStatements() - statements, "one statement for the batch");
        assertEquals(1, metrics().rowsWritten() - rows, "one row for 100 heartbeats");
        assertEquals("v99", internal(uuid).getString("agent_version"), "the last heartbeat wins");
    }

    // ---- a heartbeat on a locked node (scenario 13) ----

    @Test
    void aHeartbeatOnALockedNodeIsAcceptedAndItsLivenessRecorded() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "tok-locked", null); // agent_url unset: Ironic would answer 409 here
        Task holder = await(tasks().acquire(uuid, TaskOptions.exclusive("console")));
        try {
            Resp r = heartbeat(uuid, "1.68", hb(URL, "tok-locked", "9.0"));
            assertEquals(202, r.status(), "nothing is dropped, so nothing needs a retry: " + r);
            flushLiveness();
            assertEquals(URL, internal(uuid).getString("agent_url"), "liveness needs no lock");
        } finally {
            await(holder.release());
        }
        assertEquals(202, heartbeat(uuid, "1.68", hb(URL, "tok-locked", "9.0")).status(), "the next one too");
    }

    @Test
    void aStaleLivenessBatchNeverRevivesAWipedToken() {
        String uuid = createNode("wait call-back");
        setAgent(uuid, "old-token", null);
        assertEquals(202, heartbeat(uuid, "1.68", hb(URL, "old-token", "1")).status());
        // the node powers off before the batch is written: the old agent's URL must not come back
        assertEquals(202, putPower(uuid, "power off").status());
        waitUntil("powered off", () -> "power off".equals(node(uuid).get("power_state")));
        long skipped = metrics().rowsSkipped();
        flushLiveness();
        assertNull(internal(uuid).getValue("agent_url"));
        assertEquals(skipped + 1, metrics().rowsSkipped());
    }
}
