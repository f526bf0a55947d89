package io.anvil.driver.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.redfish.RedfishAgents;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A virtual-media deploy of a simulated node: the redfish-virtual-media boot inserts the agent's ISO (its URL
 * carrying ipa-api-url and BOOTIF, docs/redfish.md#virtual-media-boot) and boots once from Cd; the simulated agent
 * cleans (automated cleaning) and writes the image; the node ends active, booting from its disk, the CD ejected.
 */
class RedfishVirtualMediaDeployTest extends AbstractRedfishApiTest {
    private AgentFleet agents;
    private RedfishFleet fleet;
    private final List<String> bootEvents = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    void fleets() {
        agents = await(AgentFleet.start(
                vertx,
                AgentFleetOptions.defaults("http://127.0.0.1:" + anvil.apiPort())
                        .withMinHeartbeatInterval(Duration.ofMillis(100))
                        .withPrepareImageTime(Duration.ofMillis(200))
                        .withStepTime(Duration.ofMillis(50))
                        .withImageDownloadRetries(1, Duration.ofMillis(100))
                        .withMaxBackoff(Duration.ofSeconds(1))));
        RedfishAgents binding = new RedfishAgents(agents, (bmc, what) -> {
            if (what.startsWith("boot ") && bmc.index() == 0) { // the deploy test's machine
                bootEvents.add(what);
            }
        });
        fleet = fleet(new RedfishFleetOptions().count(2).eventListener(binding::listener));
    }

    @AfterAll
    void stopAgents() {
        if (agents != null) {
            await(agents.close().recover(e -> io.vertx.core.Future.succeededFuture()));
        }
    }

    /**
     * A manual clean with the agent ramdisk: the BIOS step (out-of-band) reboots the node back into the agent (the ISO
     * inserted again), the node waits in "clean wait", and the agent's next heartbeat runs the step again to verify
     * before the in-band step runs (docs/redfish.md#bios).
     */
    @Test
    void aBiosStepRebootsIntoTheAgentAndTheHeartbeatFinishesIt() {
        SimulatedRedfishBmc bmc = fleet.bmc(1);
        String uuid = createRedfishNode(
                driverInfo(fleet, bmc).put("deploy_iso", agents.imageUrl("ipa.iso")),
                new JsonObject()
                        .put("boot_interface", "redfish-virtual-media")
                        .put("deploy_interface", "direct")
                        .put("bios_interface", "redfish"));
        expect(
                201,
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("address", AgentFleet.macFor(1)).put("node_uuid", uuid));
        assertEquals(202, provision(uuid, "manage").status());
        awaitNode(uuid, n -> "manageable".equals(n.getString("provision_state")), 30_000);
        long boots = bmc.boots();
        JsonArray steps = new JsonArray()
                .add(biosStep("SriovGlobalEnable", "Enabled"))
                .add(new JsonObject().put("interface", "deploy").put("step", "erase_devices_metadata"));
        expect(
                202,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/provision",
                new JsonObject().put("target", "clean").put("clean_steps", steps));
        JsonObject n = awaitProvisionIn(uuid, 120_000, "manageable", "clean failed");
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertNull(n.getValue("last_error"));
        assertEquals("Enabled", bmc.biosAttribute("SriovGlobalEnable"));
        assertTrue(bmc.boots() >= boots + 2, "booted into the agent, then again for the BIOS");
        List<String> started = new ArrayList<>();
        events(uuid).forEach(e -> {
            if (e.type().equals("baremetal.node.clean_step.start")) {
                started.add(e.payload().getJsonObject("clean_step").getString("step"));
            }
        });
        assertEquals(
                List.of("apply_configuration", "apply_configuration", "erase_devices_metadata"),
                started,
                "the BIOS step ran again after the reboot, then the agent's step");
        JsonObject setting = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/bios/SriovGlobalEnable", null)
                .json();
        assertEquals("Enabled", setting.getJsonObject("SriovGlobalEnable").getString("value"));
    }

    @Test
    void aVirtualMediaDeployReachesActive() throws Exception {
        SimulatedRedfishBmc bmc = fleet.bmc(0);
        String sha = AgentFleet.sha256Of("os-1m.img");
        String uuid = createRedfishNode(
                driverInfo(fleet, bmc).put("deploy_iso", agents.imageUrl("ipa.iso")),
                new JsonObject()
                        .put("boot_interface", "redfish-virtual-media")
                        .put("deploy_interface", "direct")
                        .put(
                                "instance_info",
                                new JsonObject()
                                        .put("image_source", agents.imageUrl("os-1m.img"))
                                        .put("image_os_hash_algo", "sha256")
                                        .put("image_os_hash_value", sha)));
        expect(
                201,
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("address", AgentFleet.macFor(0)).put("node_uuid", uuid));
        JsonObject v = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/validate", null)
                .json();
        assertTrue(v.getJsonObject("boot").getBoolean("result"), v.encode());

        assertEquals(202, provision(uuid, "manage").status());
        awaitNode(uuid, n -> "manageable".equals(n.getString("provision_state")), 30_000);
        assertEquals(202, provision(uuid, "provide").status());
        JsonObject n = awaitProvisionIn(uuid, 120_000, "available", "clean failed");
        assertEquals("available", n.getString("provision_state"), n.encode());
        assertEquals(202, provision(uuid, "active").status());
        n = awaitProvisionIn(uuid, 120_000, "active", "deploy failed");
        assertEquals("active", n.getString("provision_state"), n.encode());
        assertNull(n.getValue("last_error"));
        assertEquals("power on", n.getString("power_state"));

        List<String> cdBoots = new ArrayList<>();
        bootEvents.forEach(e -> {
            if (e.startsWith("boot Cd ")) {
                cdBoots.add(e);
            }
        });
        assertTrue(cdBoots.size() >= 2, "cleaning and deploy booted the ISO: " + bootEvents);
        assertTrue(cdBoots.get(0).contains("ipa-api-url=http%3A%2F%2F127.0.0.1%3A" + anvil.apiPort()), cdBoots.get(0));
        assertTrue(cdBoots.get(0).contains("BOOTIF=" + AgentFleet.macFor(0).replace(":", "%3A")), cdBoots.get(0));
        assertTrue(bootEvents.get(bootEvents.size() - 1).startsWith("boot Hdd"), bootEvents.toString());
        assertNull(bmc.mediaImage("Cd"), "the CD was ejected");
    }
}
