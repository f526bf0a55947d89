package io.anvil.cli;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.function.UnaryOperator;

/**
 * {@code anvil serve --sim-bmcs N}: a fleet of simulated machines beside the conductor (IPMI BMCs, and the ramdisk
 * agent each one's PXE boot brings up, docs/agent.md), each enrolled once through the public API as an {@code ipmi}
 * node {@code sim-<i>} ready for the whole lifecycle with nothing else installed: agent inspection, direct deploy of
 * the agents' example image (its checksum in instance_info), agent rescue, and its NIC as a port.
 */
final class SimFleetEnrolment {
    static final String EXAMPLE_IMAGE = "os-1m.img";
    private static final String API_VERSION = "1.78";

    private SimFleetEnrolment() {}

    /**
     * Starts the agents (their image server on TCP {@code basePort}, so enrolled URLs survive a restart), hashes the
     * example image on a worker, starts the BMCs, enrols the nodes and prints how to drive them.
     */
    static Future<SimulatedFleet> start(Vertx vertx, int apiPort, int count, int basePort) {
        return start(vertx, apiPort, count, basePort, UnaryOperator.identity());
    }

    /** Like {@link #start(Vertx, int, int, int)}, the agents' timings changed by {@code agentTimings} (tests). */
    static Future<SimulatedFleet> start(
            Vertx vertx, int apiPort, int count, int basePort, UnaryOperator<AgentFleetOptions> agentTimings) {
        String api = "http://127.0.0.1:" + apiPort;
        Future<AgentFleet> agentFleet = AgentFleet.start(
                vertx, agentTimings.apply(AgentFleetOptions.defaults(api).withPort(basePort)));
        // hashing the example image is CPU work: a worker's
        Future<String> sha256 =
                agentFleet.compose(a -> vertx.executeBlocking(() -> AgentFleet.sha256Of(EXAMPLE_IMAGE), false));
        return sha256.compose(sha -> {
            AgentFleet agents = agentFleet.result();
            BmcAgents binding = new BmcAgents(agents, null);
            return SimulatedFleet.start(
                            vertx,
                            new FleetOptions()
                                    .count(count)
                                    .host("127.0.0.1")
                                    .basePort(basePort)
                                    .eventListener(binding::listener))
                    .compose(fleet -> enroll(vertx, apiPort, fleet, agents, sha).map(fleet))
                    .onSuccess(fleet -> printWelcome(api, agents, fleet, sha));
        });
    }

    private static void printWelcome(String api, AgentFleet agents, SimulatedFleet fleet, String sha256) {
        int count = fleet.size();
        int firstBmc = fleet.bmc(0).port();
        System.out.println("anvil: " + count + " simulated BMCs on UDP 127.0.0.1:" + firstBmc + "-"
                + (firstBmc + count - 1) + " (admin/password), enrolled as ipmi nodes sim-0..sim-" + (count - 1)
                + " (agent inspect, ipxe boot, direct deploy, agent rescue; ports " + AgentFleet.macFor(0)
                + ".." + AgentFleet.macFor(count - 1) + "); their ramdisk agents and images on " + agents.baseUrl());
        printImageHint(agents, sha256);
        System.out.println("anvil: the whole lifecycle of sim-0 with the baremetal CLI (python3-ironicclient):\n"
                + "  export OS_AUTH_TYPE=none OS_ENDPOINT=" + api + "\n"
                + "  baremetal node manage sim-0 --wait 60      # enroll -> manageable (power state read over IPMI)\n"
                + "  baremetal node inspect sim-0 --wait 180    # the agent reports cpus, memory, disks, NICs\n"
                + "  baremetal node provide sim-0 --wait 180    # automated cleaning by the agent -> available\n"
                + "  baremetal node deploy sim-0 --wait 180     # the agent writes " + EXAMPLE_IMAGE
                + " (sha256 checked) -> active\n"
                + "  baremetal node rescue sim-0 --rescue-password Secret-1 --wait 180   # optional; then unrescue\n"
                + "  baremetal node undeploy sim-0 --wait 180   # cleaning again -> available");
    }

    /** A working image for direct deploys: the agents' image server makes any name, sized by it. */
    static void printImageHint(AgentFleet agents, String sha256) {
        String name = EXAMPLE_IMAGE;
        System.out.println("anvil: simulated images at " + agents.imageUrl("<name>") + " (size from the name, e.g. "
                + name + " = 1 MiB; <name>.sha256 is its checksum file); to deploy one (again after an undeploy, which"
                + " clears instance_info as Ironic does): baremetal node set <node>"
                + " --deploy-interface direct --instance-info image_source=" + agents.imageUrl(name)
                + " --instance-info image_os_hash_algo=sha256 --instance-info image_os_hash_value=" + sha256);
    }

    private static Future<Void> enroll(
            Vertx vertx, int apiPort, SimulatedFleet fleet, AgentFleet agents, String sha256) {
        HttpClient http = vertx.createHttpClient();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < fleet.size(); i++) {
            int index = i;
            JsonObject node = node(index, fleet.bmc(index).port(), agents, sha256);
            chain = chain.compose(v -> enrollOne(http, apiPort, index, node));
        }
        return chain.eventually(http::close);
    }

    /** Node {@code sim-<i>}: the machine PXE-boots Anvil's iPXE script into the agents' ramdisk "images". */
    static JsonObject node(int i, int bmcPort, AgentFleet agents, String sha256) {
        return new JsonObject()
                .put("name", "sim-" + i)
                .put("driver", "ipmi")
                .put("boot_interface", "ipxe")
                .put("deploy_interface", "direct")
                .put("inspect_interface", "agent")
                .put("rescue_interface", "agent")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmcPort)
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                // the simulated firmware only reads the script's kernel parameters
                                .put("deploy_kernel", agents.imageUrl("ipa.kernel"))
                                .put("deploy_ramdisk", agents.imageUrl("ipa.initramfs"))
                                .put("rescue_kernel", agents.imageUrl("rescue.kernel"))
                                .put("rescue_ramdisk", agents.imageUrl("rescue.initramfs")))
                .put(
                        "instance_info",
                        new JsonObject()
                                .put("image_source", agents.imageUrl(EXAMPLE_IMAGE))
                                .put("image_os_hash_algo", "sha256")
                                .put("image_os_hash_value", sha256));
    }

    /** Creates the node unless one of that name exists (a restart keeps nodes and whatever was changed on them). */
    private static Future<Void> enrollOne(HttpClient http, int apiPort, int i, JsonObject node) {
        return http.request(HttpMethod.GET, apiPort, "127.0.0.1", "/v1/nodes/sim-" + i)
                .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
                        .send())
                .compose(resp -> {
                    if (resp.statusCode() == 200) {
                        return Future.<Void>succeededFuture();
                    }
                    return http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/nodes")
                            .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
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
        JsonObject port = new JsonObject().put("address", AgentFleet.macFor(i)).put("node_uuid", nodeUuid);
        return http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/ports")
                .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
                        .putHeader("Content-Type", "application/json")
                        .send(port.toBuffer()))
                .compose(r -> r.statusCode() == 201 || r.statusCode() == 409
                        ? Future.<Void>succeededFuture()
                        : r.body().compose(b -> Future.failedFuture("port of sim-" + i + " failed: " + b)));
    }
}
