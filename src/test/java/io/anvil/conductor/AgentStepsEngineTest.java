package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.SimulatedAgent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The step engine driven by simulated ramdisk agents (docs/steps.md): automated cleaning runs the agent's clean steps
 * in Ironic's priority order, manual cleaning runs a priority-0 agent step, an unknown step fails cleaning, a user's
 * deploy_steps enable an agent deploy step inside the deploy, a wrong image checksum fails the deploy with the
 * agent's error, and abort in clean wait stops an abortable agent step at once.
 */
class AgentStepsEngineTest extends AgentTestSupport {
    private AgentFleet agents;

    @Override
    protected Map<String, Object> extraConfig() {
        return FAST_AGENTS;
    }

    @BeforeAll
    void startAgents() {
        agents = startAgents(options(Duration.ofMillis(200)));
    }

    private AgentFleetOptions options(Duration stepTime) {
        return agentOptions(Duration.ofMillis(200))
                .withStepTime(stepTime)
                .withImageDownloadRetries(1, Duration.ofMillis(100)); // IPA retries a checksum mismatch too
    }

    private Map<String, Object> row(String uuid) {
        return rows(
                        "SELECT provision_state, target_provision_state, power_state, last_error, maintenance,"
                                + " clean_step::text AS clean_step FROM nodes WHERE uuid = ?",
                        uuid)
                .get(0);
    }

    /** The steps the agent ran through execute_<type>_step, in order. */
    private static List<String> executed(SimulatedAgent agent, String type) {
        List<String> out = new ArrayList<>();
        for (JsonObject c : await(agent.commandResults())) {
            if (("execute_" + type + "_step").equals(c.getString("command_name"))
                    && "SUCCEEDED".equals(c.getString("command_status"))) {
                JsonObject result = c.getJsonObject("command_result");
                out.add(result.getJsonObject(type + "_step").getString("step"));
            }
        }
        return out;
    }

    private static JsonObject step(String iface, String name) {
        return new JsonObject().put("interface", iface).put("step", name);
    }

    @Test
    void aDirectDeployWithoutAnImageIsRefusedBeforeTheNodeMoves() {
        String[] n = directNode("available", new JsonObject());
        Resp r = putProvision(n[0], "active");
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.toString().contains("Missing are: ['image_source']"), r::toString);
        assertEquals("available", row(n[0]).get("provision_state"));
    }

    @Test
    void automatedCleaningRunsTheAgentsStepsInPriorityOrder() {
        String[] n = directNode("manageable", new JsonObject());
        assertEquals(202, putProvision(n[0], "provide").status());
        waitForState(n[0], "clean wait");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitUntil(
                "the agent ran its clean steps",
                () -> executed(agent, "clean").size() >= 2
                        || !List.of("clean wait", "cleaning").contains(row(n[0]).get("provision_state")));
        waitForState(n[0], "available");
        // erase_devices_metadata (99) before erase_devices (10); every priority-0 step skipped
        assertEquals(List.of("erase_devices_metadata", "erase_devices"), executed(agent, "clean"));
        Map<String, Object> r = row(n[0]);
        assertNull(r.get("last_error"));
        assertNull(r.get("clean_step"));
        assertEquals("power off", r.get("power_state"), "cleaning's tear-down powers the ramdisk off");
        JsonObject dii = internal(n[0]);
        assertNull(dii.getValue("agent_secret_token"), "the token is void at the end of cleaning");
        assertFalse(dii.containsKey("agent_cached_clean_steps"), dii::encode);
        agent.stop();
    }

    @Test
    void manualCleaningRunsAPriorityZeroAgentStepAndReturnsToManageable() {
        String[] n = directNode("manageable", new JsonObject());
        JsonObject body = new JsonObject()
                .put("target", "clean")
                .put("clean_steps", new JsonArray().add(step("deploy", "erase_devices_express")));
        assertEquals(202, putProvision(n[0], body).status());
        waitForState(n[0], "clean wait");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "manageable");
        assertEquals(List.of("erase_devices_express"), executed(agent, "clean"));
        assertNull(row(n[0]).get("last_error"));
        agent.stop();
    }

    @Test
    void aStepNeitherDriverNorAgentOffersFailsManualCleaning() {
        String[] n = directNode("manageable", new JsonObject());
        JsonObject body = new JsonObject()
                .put("target", "clean")
                .put("clean_steps", new JsonArray().add(step("deploy", "polish_the_chassis")));
        assertEquals(202, putProvision(n[0], body).status());
        waitForState(n[0], "clean wait");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "clean failed");
        Map<String, Object> r = row(n[0]);
        assertTrue(String.valueOf(r.get("last_error")).contains("node does not support this clean step"), r::toString);
        assertEquals("manageable", r.get("target_provision_state"));
        assertTrue(executed(agent, "clean").isEmpty());
        agent.stop();
    }

    @Test
    void aUsersDeployStepsEnableAnAgentStepInsideTheDeploy() {
        String[] n = directNode("available", agents.instanceInfoFor("os-1m.img"));
        JsonObject body = new JsonObject()
                .put("target", "active")
                .put(
                        "deploy_steps",
                        new JsonArray()
                                .add(step("deploy", "erase_devices_metadata")
                                        .put("priority", 85)
                                        .put("args", new JsonObject())));
        assertEquals(202, putProvision(n[0], body).status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "active");
        assertEquals(List.of("erase_devices_metadata"), executed(agent, "deploy"));
        assertEquals("os-1m.img", agent.disk().imageId(), "write_image (80) ran after the user's step (85)");
        agent.stop();
    }

    @Test
    void aWrongChecksumFailsTheDeployWithTheAgentsError() {
        JsonObject info = agents.instanceInfoFor("os-1m.img").put("image_os_hash_value", "0".repeat(64));
        String[] n = directNode("available", info);
        assertEquals(202, putProvision(n[0], "active").status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "deploy failed");
        String error = String.valueOf(row(n[0]).get("last_error"));
        assertTrue(
                error.startsWith("Agent returned error for deploy step {'interface': 'deploy', 'step': 'write_image'}"
                        + " on node " + n[0]),
                error);
        assertTrue(error.toLowerCase().contains("checksum"), error);
        assertEquals("power off", row(n[0]).get("power_state"), "a failed deploy powers the node off");
        assertNull(internal(n[0]).getValue("agent_secret_token"));
        agent.stop();
    }

    @Test
    void abortInCleanWaitStopsAnAbortableAgentStepAtOnce() {
        AgentFleet slow = await(AgentFleet.start(vertx, options(Duration.ofHours(1))));
        try {
            String[] n = directNode("manageable", new JsonObject());
            assertEquals(202, putProvision(n[0], "provide").status());
            waitForState(n[0], "clean wait");
            SimulatedAgent agent = slow.add(List.of(n[1]));
            agent.boot();
            waitUntil(
                    "erase_devices_metadata running in the agent",
                    () -> "execute_clean_step".equals(internal(n[0]).getString(StepEngine.AWAITED_COMMAND))
                            && "clean wait".equals(row(n[0]).get("provision_state")));
            assertEquals(202, putProvision(n[0], "abort").status());
            waitForState(n[0], "clean failed");
            waitUntil("steps forgotten", () -> row(n[0]).get("clean_step") == null);
            Map<String, Object> r = row(n[0]);
            assertEquals("By request, the clean operation was aborted for node " + n[0] + ".", r.get("last_error"));
            assertEquals("available", r.get("target_provision_state"));
            assertEquals(false, r.get("maintenance"), "an abort is not a failure");
            waitUntil("the ramdisk powered off", () -> "power off"
                    .equals(row(n[0]).get("power_state")));
            agent.stop();
        } finally {
            await(slow.close());
        }
    }
}
