package io.anvil.sim.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.Inventory;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Virtual-media boot (docs/redfish.md): a machine that boots once from Cd with an image inserted fetches the image
 * and starts its simulated agent with the kernel parameters in the image URL's query; a boot from the disk stops it.
 */
class RedfishAgentsTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static AgentFleet agents;
    private static RedfishAgents bindings;
    private static RedfishFleet fleet;
    private static HttpServer images;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        // nothing listens at the agents' default Anvil URL: lookups fail and retry, which this test does not mind
        agents = Conditions.result(AgentFleet.start(vertx, AgentFleetOptions.defaults("http://127.0.0.1:9")), T);
        bindings = new RedfishAgents(agents, null);
        fleet = Conditions.result(
                RedfishFleet.start(
                        vertx, new RedfishFleetOptions().count(3).basePort(0).eventListener(bindings::listener)),
                T);
        images = Conditions.result(
                vertx.createHttpServer()
                        .requestHandler(r -> r.response()
                                .setStatusCode(r.path().endsWith(".iso") ? 200 : 404)
                                .end())
                        .listen(0, "127.0.0.1"),
                T);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            Conditions.result(fleet.close(), T);
        }
        if (agents != null) {
            Conditions.result(agents.close(), T);
        }
        if (vertx != null) {
            Conditions.result(vertx.close(), T);
        }
    }

    @Test
    void kernelParametersComeFromTheQuery() {
        Map<String, String> p = RedfishAgents.kernelParams(
                "https://a:1/x.iso?ipa-api-url=https%3A%2F%2Fanvil%3A6385&BOOTIF=52:54:00:00:00:07&nofb");
        assertEquals("https://anvil:6385", p.get("ipa-api-url"));
        assertEquals("52:54:00:00:00:07", p.get("BOOTIF"));
        assertEquals("", p.get("nofb"));
        assertTrue(RedfishAgents.kernelParams("https://a/x.iso").isEmpty());
    }

    @Test
    void bootOnceFromCdStartsTheAgentWithTheImagesParameters() {
        int index = 1;
        SimulatedRedfishBmc bmc = fleet.bmc(index);
        RedfishClient c = new RedfishClient(vertx, fleet, bmc);
        String api = "http://127.0.0.1:6399";
        String image = "http://127.0.0.1:" + images.actualPort() + "/vmedia/node-1/deploy.iso?ipa-api-url="
                + api.replace(":", "%3A").replace("/", "%2F") + "&BOOTIF=" + AgentFleet.macFor(index);
        assertEquals(
                204,
                c.post(
                                "/redfish/v1/Managers/BMC/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia",
                                new JsonObject().put("Image", image))
                        .status());
        c.patch(
                bmc.systemPath(),
                new JsonObject()
                        .put(
                                "Boot",
                                new JsonObject()
                                        .put("BootSourceOverrideTarget", "Cd")
                                        .put("BootSourceOverrideEnabled", "Once")),
                Map.of());
        c.post(bmc.systemPath() + "/Actions/ComputerSystem.Reset", new JsonObject().put("ResetType", "On"));
        SimulatedAgent agent = bindings.agentOf(index);
        Conditions.await(vertx, "the agent boots from virtual media", T, Duration.ofMillis(20), agent::running);
        assertEquals(api, agent.apiUrl(), "the agent talks to the ipa-api-url of the image's query");
        assertEquals(index, agent.index(), "the agent of BMC i is agent i");
        assertEquals(
                Inventory.cpuCount(index),
                agent.inventory().getJsonObject("cpu").getInteger("count"));
        assertEquals(1, bindings.mediaBoots());

        // the override was once: the next boot is from the disk, and the agent is gone
        c.post(bmc.systemPath() + "/Actions/ComputerSystem.Reset", new JsonObject().put("ResetType", "ForceRestart"));
        Conditions.await(vertx, "the disk boot stops the agent", T, Duration.ofMillis(20), () -> !agent.running());
        assertEquals("Hdd", bmc.lastBootSource());
    }

    @Test
    void anUnreachableImageBootsNoAgent() {
        int index = 2;
        SimulatedRedfishBmc bmc = fleet.bmc(index);
        RedfishClient c = new RedfishClient(vertx, fleet, bmc);
        String image = "http://127.0.0.1:" + images.actualPort() + "/missing.img?ipa-api-url=http%3A%2F%2Fx";
        c.post(
                "/redfish/v1/Managers/BMC/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia",
                new JsonObject().put("Image", image));
        c.patch(
                bmc.systemPath(),
                new JsonObject().put("Boot", new JsonObject().put("BootSourceOverrideTarget", "Cd")),
                Map.of());
        long failures = bindings.mediaFailures();
        c.post(bmc.systemPath() + "/Actions/ComputerSystem.Reset", new JsonObject().put("ResetType", "On"));
        Conditions.await(
                vertx, "the image fetch fails", T, Duration.ofMillis(20), () -> bindings.mediaFailures() > failures);
        assertFalse(bindings.agentOf(index).running());
    }
}
