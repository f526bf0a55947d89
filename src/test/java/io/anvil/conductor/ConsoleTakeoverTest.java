package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A console survives a conductor take-over (docs/console.md#ownership-and-take-over): the owning conductor holds the
 * SOL session; it is killed (no Close Session, no Deactivate Payload: the BMC keeps its payload active); the survivor,
 * now owning the node, re-activates SOL (deactivate + activate) and holds the console.
 */
class ConsoleTakeoverTest {

    @Test
    void theNewOwnerReactivatesSol() throws Exception {
        Vertx simVertx = Vertx.vertx();
        SimulatedFleet fleet = AnvilCluster.get(SimulatedFleet.start(
                simVertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0)));
        try (AnvilCluster cluster =
                AnvilCluster.start(Map.of("console.reconcile_interval", 0.2), "console-a", "console-b")) {
            SimulatedBmc bmc = fleet.bmc(0);
            AnvilCluster.Member a = cluster.member("console-a");
            HttpClient http = a.vertx().createHttpClient();
            JsonObject created = call(
                    http,
                    a.port(),
                    HttpMethod.POST,
                    "/v1/nodes",
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
                    http,
                    a.port(),
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/states/console",
                    new JsonObject().put("enabled", true));
            cluster.await("one conductor holds the console", () -> holders(cluster, uuid) == 1 && bmc.solActive());
            AnvilCluster.Member owner = cluster.running().stream()
                    .filter(m -> m.anvil()
                            .consoles()
                            .get(uuid)
                            .map(c -> c.connected())
                            .orElse(false))
                    .findFirst()
                    .orElseThrow();
            AnvilCluster.Member survivor = cluster.running().stream()
                    .filter(m -> m != owner)
                    .findFirst()
                    .orElseThrow();
            long activations = bmc.counters().solActivations();
            http.close();
            owner.kill();
            cluster.await(
                    "the survivor re-activated SOL",
                    () -> survivor.anvil()
                                    .consoles()
                                    .get(uuid)
                                    .map(c -> c.connected())
                                    .orElse(false)
                            && bmc.counters().solActivations() > activations);
            assertTrue(bmc.solActive());
            assertEquals(activations + 1, bmc.counters().solActivations(), bmc.counters()::toString);
        } finally {
            AnvilCluster.get(fleet.close());
            AnvilCluster.get(simVertx.close());
        }
    }

    private static long holders(AnvilCluster cluster, String uuid) {
        return cluster.running().stream()
                .filter(m ->
                        m.anvil().consoles().get(uuid).map(c -> c.connected()).orElse(false))
                .count();
    }

    private static JsonObject call(HttpClient http, int port, HttpMethod method, String path, JsonObject body) {
        return AnvilCluster.get(http.request(new RequestOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setMethod(method)
                        .setURI(path)
                        .putHeader("X-OpenStack-Ironic-API-Version", "latest")
                        .putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(Buffer.buffer(body.encode())))
                .compose(resp -> resp.body().map(b -> {
                    assertTrue(
                            resp.statusCode() < 300, () -> method + " " + path + " -> " + resp.statusCode() + " " + b);
                    return b.length() == 0 ? new JsonObject() : new JsonObject(b);
                })));
    }
}
