package io.anvil.cli;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * {@code anvil serve --sim-bmcs N}: a fleet of simulated BMCs beside the conductor, each enrolled (once, through
 * the public API) as an {@code ipmi} node named {@code sim-<i>} pointing at its BMC, so a newcomer can drive real
 * IPMI power and boot-device traffic with nothing but a JDK.
 */
final class SimFleetEnrolment {
    private SimFleetEnrolment() {}

    static Future<SimulatedFleet> start(Vertx vertx, int apiPort, int count, int basePort) {
        // the agent of each machine (docs/agent.md): boots when its BMC PXE-boots, looks up by the port's MAC
        Future<io.anvil.sim.agent.AgentFleet> agentFleet = io.anvil.sim.agent.AgentFleet.start(
                vertx, io.anvil.sim.agent.AgentFleetOptions.defaults("http://127.0.0.1:" + apiPort));
        return agentFleet
                .compose(agents -> {
                    io.anvil.sim.agent.BmcAgents binding = new io.anvil.sim.agent.BmcAgents(agents, null);
                    return SimulatedFleet.start(
                            vertx,
                            new FleetOptions()
                                    .count(count)
                                    .host("127.0.0.1")
                                    .basePort(basePort)
                                    .eventListener(binding::listener));
                })
                .compose(fleet -> enroll(vertx, apiPort, fleet).map(fleet))
                .onSuccess(fleet -> System.out.println(
                        "anvil: " + count + " simulated BMCs on 127.0.0.1:" + basePort + "-" + (basePort + count - 1)
                                + " (admin/password), enrolled as ipmi nodes sim-0..sim-" + (count - 1)
                                + " with ports 52:54:00:..; their ramdisk agents answer on "
                                + agentFleet.result().baseUrl()));
    }

    private static Future<Void> enroll(Vertx vertx, int apiPort, SimulatedFleet fleet) {
        HttpClient http = vertx.createHttpClient();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < fleet.size(); i++) {
            int index = i;
            chain = chain.compose(
                    v -> enrollOne(http, apiPort, index, fleet.bmc(index).port()));
        }
        return chain.eventually(http::close);
    }

    private static Future<Void> enrollOne(HttpClient http, int apiPort, int i, int bmcPort) {
        JsonObject node = new JsonObject()
                .put("name", "sim-" + i)
                .put("driver", "ipmi")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmcPort)
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password"));
        return http.request(HttpMethod.GET, apiPort, "127.0.0.1", "/v1/nodes/sim-" + i)
                .compose(req ->
                        req.putHeader("X-OpenStack-Ironic-API-Version", "1.78").send())
                .compose(resp -> {
                    if (resp.statusCode() == 200) {
                        return Future.<Void>succeededFuture();
                    }
                    return http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/nodes")
                            .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                                    .putHeader("Content-Type", "application/json")
                                    .send(node.toBuffer()))
                            .compose(r -> r.statusCode() == 201
                                    ? r.body()
                                            .compose(b -> addPort(
                                                    http,
                                                    apiPort,
                                                    i,
                                                    b.toJsonObject().getString("uuid")))
                                    : r.body()
                                            .compose(b -> Future.failedFuture("enrolling sim-" + i + " failed: " + b)));
                });
    }

    /** The node's NIC, with the MAC its simulated agent looks up by. */
    private static Future<Void> addPort(HttpClient http, int apiPort, int i, String nodeUuid) {
        JsonObject port = new JsonObject()
                .put("address", io.anvil.sim.agent.AgentFleet.macFor(i))
                .put("node_uuid", nodeUuid);
        return http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/ports")
                .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                        .putHeader("Content-Type", "application/json")
                        .send(port.toBuffer()))
                .compose(r -> r.statusCode() == 201 || r.statusCode() == 409
                        ? Future.<Void>succeededFuture()
                        : r.body().compose(b -> Future.failedFuture("port of sim-" + i + " failed: " + b)));
    }
}
