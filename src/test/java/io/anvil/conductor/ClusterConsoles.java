package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.OnContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The console tests of a conductor cluster: an {@code ipmi-sol} node with its console enabled, and who holds it. */
final class ClusterConsoles {
    private ClusterConsoles() {}

    /**
     * Creates an {@code ipmi} node with the {@code ipmi-sol} console on {@code bmc} through one member's API and
     * enables its console; {@code headers} carry credentials where the cluster authenticates. Returns its UUID.
     */
    static String enabledSolNode(AnvilCluster.Member member, SimulatedBmc bmc, Map<String, String> headers) {
        OnContext on = OnContext.of(member.vertx());
        HttpClient http = member.vertx().createHttpClient();
        try {
            JsonObject created = call(
                    on,
                    http,
                    member.port(),
                    HttpMethod.POST,
                    "/v1/nodes",
                    headers,
                    new JsonObject()
                            .put("driver", "ipmi")
                            .put("console_interface", "ipmi-sol")
                            .put(
                                    "driver_info",
                                    new JsonObject()
                                            .put("ipmi_address", "127.0.0.1")
                                            .put("ipmi_port", bmc.port())
                                            .put("ipmi_username", "admin")
                                            .put("ipmi_password", "password")));
            String uuid = created.getString("uuid");
            call(
                    on,
                    http,
                    member.port(),
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/states/console",
                    headers,
                    new JsonObject().put("enabled", true));
            return uuid;
        } finally {
            AnvilCluster.get(on.call(http::close));
        }
    }

    /** The running member whose SOL session for the node is up, or null. */
    static AnvilCluster.Member holder(AnvilCluster cluster, String uuid) {
        return cluster.running().stream()
                .filter(m ->
                        m.anvil().consoles().get(uuid).map(c -> c.connected()).orElse(false))
                .findFirst()
                .orElse(null);
    }

    /** How many running members hold the node's console (never more than one). */
    static long holders(AnvilCluster cluster, String uuid) {
        return cluster.running().stream()
                .filter(m ->
                        m.anvil().consoles().get(uuid).map(c -> c.connected()).orElse(false))
                .count();
    }

    private static JsonObject call(
            OnContext on,
            HttpClient http,
            int port,
            HttpMethod method,
            String path,
            Map<String, String> headers,
            JsonObject body) {
        RequestOptions options = new RequestOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setMethod(method)
                .setURI(path)
                .putHeader("X-OpenStack-Ironic-API-Version", "latest")
                .putHeader("Content-Type", "application/json");
        headers.forEach(options::putHeader);
        return AnvilCluster.get(on.call(() -> http.request(options)
                .compose(req -> req.send(Buffer.buffer(body.encode())))
                .compose(resp -> resp.body().map(b -> {
                    assertTrue(
                            resp.statusCode() < 300, () -> method + " " + path + " -> " + resp.statusCode() + " " + b);
                    return b.length() == 0 ? new JsonObject() : new JsonObject(b);
                }))));
    }
}
