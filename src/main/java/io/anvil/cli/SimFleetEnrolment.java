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
                .compose(fleet ->
                        enroll(vertx, apiPort, fleet, agentFleet.result()).map(fleet))
                .compose(fleet -> {
                    io.anvil.sim.agent.AgentFleet agents = agentFleet.result();
                    System.out.println("anvil: " + count + " simulated BMCs on 127.0.0.1:" + basePort + "-"
                            + (basePort + count - 1) + " (admin/password), enrolled as ipmi nodes sim-0..sim-"
                            + (count - 1) + " (boot interface ipxe) with ports 52:54:00:..; their ramdisk agents"
                            + " answer on " + agents.baseUrl());
                    // hashing the example image is CPU work: a worker's
                    return vertx.executeBlocking(() -> io.anvil.sim.agent.AgentFleet.sha256Of(EXAMPLE_IMAGE), false)
                            .map(sha -> {
                                printImageHint(agents, sha);
                                return fleet;
                            });
                });
    }

    static final String EXAMPLE_IMAGE = "os-1m.img";

    /** A working image for direct deploys: the agents' image server makes any name, sized by it. */
    static void printImageHint(io.anvil.sim.agent.AgentFleet agents, String sha256) {
        String name = EXAMPLE_IMAGE;
        System.out.println("anvil: simulated images at " + agents.imageUrl("<name>") + " (size from the name, e.g. "
                + name + " = 1 MiB; <name>.sha256 is its checksum file); to deploy one: baremetal node set <node>"
                + " --deploy-interface direct --instance-info image_source=" + agents.imageUrl(name)
                + " --instance-info image_os_hash_algo=sha256 --instance-info image_os_hash_value=" + sha256);
    }

    private static Future<Void> enroll(
            Vertx vertx, int apiPort, SimulatedFleet fleet, io.anvil.sim.agent.AgentFleet agents) {
        HttpClient http = vertx.createHttpClient();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < fleet.size(); i++) {
            int index = i;
            chain = chain.compose(
                    v -> enrollOne(http, apiPort, index, fleet.bmc(index).port(), agents));
        }
        return chain.eventually(http::close);
    }

    private static Future<Void> enrollOne(
            HttpClient http, int apiPort, int i, int bmcPort, io.anvil.sim.agent.AgentFleet agents) {
        JsonObject node = new JsonObject()
                .put("name", "sim-" + i)
                .put("driver", "ipmi")
                // the machine PXE-boots through Anvil's iPXE script; the "kernel" and "ramdisk" come from the
                // agents' image server (the simulated firmware only reads the script's kernel parameters)
                .put("boot_interface", "ipxe")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmcPort)
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                .put("deploy_kernel", agents.imageUrl("ipa.kernel"))
                                .put("deploy_ramdisk", agents.imageUrl("ipa.initramfs")));
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
