package io.anvil.cli;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.redfish.RedfishAgents;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * {@code anvil serve --sim-redfish N}: N simulated Redfish BMCs over HTTPS beside the conductor (docs/redfish.md),
 * each enrolled once through the public API as a {@code redfish} node {@code rf-<i>} (user admin, password
 * password): redfish inspect, BIOS and RAID, and virtual-media boot of the simulated agent for the direct deploy.
 * The simulator's CA is written to a fixed file, so nodes enrolled by an earlier run keep a valid redfish_verify_ca.
 */
final class SimRedfishEnrolment {
    private static final String API_VERSION = "1.78";

    private SimRedfishEnrolment() {}

    /**
     * @param basePort BMC i listens on TCP base+i; the agents' image server on base-1
     * @param caFile where the simulator's CA goes (redfish_verify_ca of the nodes)
     */
    static Future<RedfishFleet> start(Vertx vertx, int apiPort, int count, int basePort, Path caFile) {
        String api = "http://127.0.0.1:" + apiPort;
        Future<AgentFleet> agentFleet =
                AgentFleet.start(vertx, AgentFleetOptions.defaults(api).withPort(basePort - 1));
        Future<String> sha256 = agentFleet.compose(
                a -> vertx.executeBlocking(() -> AgentFleet.sha256Of(SimFleetEnrolment.EXAMPLE_IMAGE), false));
        return sha256.compose(sha -> {
            AgentFleet agents = agentFleet.result();
            RedfishAgents binding = new RedfishAgents(agents, null);
            return RedfishFleet.start(
                            vertx,
                            new RedfishFleetOptions()
                                    .count(count)
                                    .host("127.0.0.1")
                                    .basePort(basePort)
                                    .eventListener(binding::listener))
                    .compose(fleet -> vertx.fileSystem()
                            .mkdirs(caFile.toAbsolutePath().getParent().toString())
                            .compose(v -> vertx.fileSystem().writeFile(caFile.toString(), Buffer.buffer(fleet.caPem())))
                            .compose(v -> enroll(vertx, apiPort, fleet, agents, sha, caFile))
                            .map(fleet))
                    .onSuccess(fleet -> printWelcome(api, fleet, caFile));
        });
    }

    private static void printWelcome(String api, RedfishFleet fleet, Path caFile) {
        int count = fleet.size();
        System.out.println(
                "anvil: " + count + " simulated Redfish BMCs at " + fleet.bmc(0).address() + " .. "
                        + fleet.bmc(count - 1).address() + " (admin/password, CA " + caFile.toAbsolutePath()
                        + "), enrolled as redfish nodes rf-0..rf-" + (count - 1)
                        + " (redfish inspect, BIOS and RAID, redfish-virtual-media boot, direct deploy)");
        System.out.println("anvil: try with the baremetal CLI (OS_AUTH_TYPE=none OS_ENDPOINT=" + api + "):\n"
                + "  baremetal node manage rf-0 --wait 60\n"
                + "  baremetal node inspect rf-0 --wait 60       # out-of-band: cpus, memory, disk, NIC port\n"
                + "  baremetal node provide rf-0 --wait 180      # cleaning by the agent booted from virtual media\n"
                + "  baremetal node deploy rf-0 --wait 180");
    }

    private static Future<Void> enroll(
            Vertx vertx, int apiPort, RedfishFleet fleet, AgentFleet agents, String sha256, Path caFile) {
        HttpClient http = vertx.createHttpClient();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < fleet.size(); i++) {
            JsonObject node = node(i, fleet.bmc(i).address(), agents, sha256, caFile);
            int index = i;
            chain = chain.compose(v -> enrollOne(http, apiPort, index, node));
        }
        return chain.eventually(http::close);
    }

    static JsonObject node(int i, String address, AgentFleet agents, String sha256, Path caFile) {
        return new JsonObject()
                .put("name", "rf-" + i)
                .put("driver", "redfish")
                .put("boot_interface", "redfish-virtual-media")
                .put("deploy_interface", "direct")
                .put("inspect_interface", "redfish")
                .put("bios_interface", "redfish")
                .put("raid_interface", "redfish")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("redfish_address", address)
                                .put("redfish_username", "admin")
                                .put("redfish_password", "password")
                                .put(
                                        "redfish_verify_ca",
                                        caFile.toAbsolutePath().toString())
                                // the simulated firmware fetches the ISO and reads the agent's parameters from its URL
                                .put("deploy_iso", agents.imageUrl("ipa.iso"))
                                .put("rescue_iso", agents.imageUrl("rescue.iso")))
                .put(
                        "instance_info",
                        new JsonObject()
                                .put("image_source", agents.imageUrl(SimFleetEnrolment.EXAMPLE_IMAGE))
                                .put("image_os_hash_algo", "sha256")
                                .put("image_os_hash_value", sha256));
    }

    /** Creates the node unless one of that name exists (a restart keeps nodes and whatever was changed on them). */
    private static Future<Void> enrollOne(HttpClient http, int apiPort, int i, JsonObject node) {
        return http.request(HttpMethod.GET, apiPort, "127.0.0.1", "/v1/nodes/rf-" + i)
                .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
                        .send())
                .compose(resp -> resp.statusCode() == 200
                        ? Future.<Void>succeededFuture()
                        : http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/nodes")
                                .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION)
                                        .putHeader("Content-Type", "application/json")
                                        .send(node.toBuffer()))
                                .compose(r -> r.statusCode() == 201
                                        ? Future.<Void>succeededFuture()
                                        : r.body()
                                                .compose(b ->
                                                        Future.failedFuture("enrolling rf-" + i + " failed: " + b))));
    }
}
