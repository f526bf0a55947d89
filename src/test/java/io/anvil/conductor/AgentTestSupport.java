package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * Shared helpers of the agent API tests (docs/agent.md): requests with an explicit microversion, nodes with a port
 * and an agent token, and the node's driver_internal_info as stored.
 */
abstract class AgentTestSupport extends ConductorTestBase {
    /** Agents heartbeat every 0.3-0.6 s (Ironic's 0.3-0.6 × the timeout told at lookup); liveness written every 100 ms. */
    static final Map<String, Object> FAST_AGENTS =
            Map.of("api.ramdisk_heartbeat_timeout", 1, "agent.liveness_flush_interval", 0.1);

    private final List<AgentFleet> agentFleets = new ArrayList<>();

    /**
     * Simulated agents reporting to this Anvil: heartbeats at least 100 ms apart, a back-off of at most 1 s, and
     * {@code prepareImageTime} to write an image; refine with {@code options}.
     */
    AgentFleetOptions agentOptions(Duration prepareImageTime) {
        return AgentFleetOptions.defaults("http://127.0.0.1:" + anvil.apiPort())
                .withMinHeartbeatInterval(Duration.ofMillis(100))
                .withPrepareImageTime(prepareImageTime)
                .withMaxBackoff(Duration.ofSeconds(1));
    }

    /** Starts an agent fleet, closed after the class (before Anvil stops). */
    AgentFleet startAgents(AgentFleetOptions options) {
        AgentFleet fleet = await(AgentFleet.start(vertx, options));
        agentFleets.add(fleet);
        return fleet;
    }

    @AfterAll
    void stopAgentFleets() {
        for (AgentFleet f : agentFleets) {
            await(f.close());
        }
    }

    /** A fake-hardware node with the direct deploy and a port, in {@code state}; returns {uuid, mac}. */
    String[] directNode(String state, JsonObject instanceInfo) {
        String[] n = nodeWithPort(state, null);
        sql(
                "UPDATE nodes SET deploy_interface = 'direct', instance_info = ?::jsonb WHERE uuid = ?",
                instanceInfo.encode(),
                n[0]);
        return n;
    }

    Resp call(HttpMethod method, String path, String version, Object body) {
        RequestOptions opts = new RequestOptions().setMethod(method).setURI(path);
        if (version != null) {
            opts.putHeader("X-OpenStack-Ironic-API-Version", version);
        }
        if (body != null) {
            opts.putHeader("Content-Type", "application/json");
        }
        // resp.body() is asked for inside the request's own callback, on the event loop, before the response can
        // end: chained from this (test) thread instead, a slow thread attaches it after the body went by, and the
        // future never completes (seen under stress --cpu 2)
        return await(calls.call(() -> client.request(opts).compose(req -> (body == null
                        ? req.send()
                        : req.send(
                                body instanceof JsonObject o
                                        ? o.toBuffer()
                                        : io.vertx.core.json.Json.encodeToBuffer(body)))
                .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b))))));
    }

    Resp heartbeat(String ident, String version, Object body) {
        return call(HttpMethod.POST, "/v1/heartbeat/" + ident, version, body);
    }

    Resp lookup(String query, String version) {
        return call(HttpMethod.GET, "/v1/lookup?" + query, version, null);
    }

    /** A fake-hardware node in {@code state} with one port of a random MAC; returns {uuid, mac}. */
    String[] nodeWithPort(String state, JsonObject driverInfo) {
        String uuid = createNode(state, driverInfo);
        String mac = randomMac();
        Resp r = http(
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("address", mac).put("node_uuid", uuid));
        assertEquals(201, r.status(), r::toString);
        return new String[] {uuid, mac};
    }

    static String randomMac() {
        String h = UUID.randomUUID().toString().replace("-", "");
        return "52:54:01:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
    }

    /** The node's driver_internal_info as stored, its secrets (the agent token) decrypted with the conductor's key. */
    JsonObject internal(String uuid) {
        return anvil.secrets()
                .openAll(
                        new JsonObject((String) node(uuid).get("driver_internal_info")),
                        "driver_internal_info",
                        "node " + uuid);
    }

    /** Sets the agent token (and optionally the agent URL) in SQL, encrypted as a lookup would have stored it. */
    void setAgent(String uuid, String token, String url) {
        JsonObject info = internal(uuid).put("agent_secret_token", token);
        if (url != null) {
            info.put("agent_url", url);
        }
        sql(
                "UPDATE nodes SET driver_internal_info = ?::jsonb WHERE uuid = ?",
                anvil.secrets().sealAll(info).encode(),
                uuid);
    }

    void flushLiveness() {
        await(anvil.agent().flushLiveness());
    }

    static JsonObject hb(String url, String token, String version) {
        JsonObject b = new JsonObject().put("callback_url", url).put("agent_version", version);
        if (token != null) {
            b.put("agent_token", token);
        }
        return b;
    }
}
