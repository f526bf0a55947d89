package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's get_clean_steps answer, cached and merged with the driver's steps. */
class AgentStepsTest {
    /** What ironic-python-agent's GenericHardwareManager answers (priorities as IPA ships them). */
    static JsonObject ipaCleanSteps() {
        return new JsonObject(
                """
                {"clean_steps": {"GenericHardwareManager": [
                  {"step": "erase_devices", "priority": 10, "interface": "deploy",
                   "reboot_requested": false, "abortable": true},
                  {"step": "erase_devices_metadata", "priority": 99, "interface": "deploy",
                   "reboot_requested": false, "abortable": true},
                  {"step": "erase_devices_express", "priority": 0, "interface": "deploy",
                   "reboot_requested": false, "abortable": true},
                  {"step": "delete_configuration", "priority": 0, "interface": "raid",
                   "reboot_requested": false, "abortable": true},
                  {"step": "burnin_cpu", "priority": 0, "interface": "deploy",
                   "reboot_requested": false, "abortable": true}]},
                 "hardware_manager_version": {"generic_hardware_manager": "1.2"}}""");
    }

    @Test
    void reportIsGroupedByInterfaceAndMarkedAsNeedingTheRamdisk() {
        AgentSteps.Report r = AgentSteps.parse(StepType.CLEAN, "n1", ipaCleanSteps());
        assertEquals(List.of("deploy", "raid"), List.copyOf(r.cache().fieldNames()));
        assertEquals("1.2", r.hardwareManagerVersion().getString("generic_hardware_manager"));
        JsonObject dii = new JsonObject().put(StepType.CLEAN.agentCacheKey(), r.cache());
        assertTrue(AgentSteps.isCached(StepType.CLEAN, dii));
        assertFalse(AgentSteps.isCached(StepType.DEPLOY, dii));
        List<Step> deploy = AgentSteps.cached(StepType.CLEAN, dii, "deploy");
        assertEquals(4, deploy.size());
        assertTrue(deploy.stream().allMatch(Step::needsRamdisk));
        assertEquals(5, AgentSteps.cached(StepType.CLEAN, dii, null).size());
    }

    @Test
    void automatedCleaningOfAnAgentNodeWithOverrides() {
        AgentSteps.Report r = AgentSteps.parse(StepType.CLEAN, "n1", ipaCleanSteps());
        JsonObject dii = new JsonObject().put(StepType.CLEAN.agentCacheKey(), r.cache());
        List<Step> offered = StepPlanner.offered(
                List.of(Step.of("management", "reset_bmc", 0)), AgentSteps.cached(StepType.CLEAN, dii, null));
        List<Step> plan =
                StepPlanner.automatedClean(offered, PriorityOverrides.parse(List.of("deploy.erase_devices:0")));
        assertEquals(
                List.of("deploy.erase_devices_metadata"),
                plan.stream().map(Step::id).toList());
        assertTrue(plan.get(0).abortable());
    }

    @Test
    void missingKeysGiveIronicsMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AgentSteps.parse(StepType.CLEAN, "n1", new JsonObject().put("clean_steps", new JsonObject())));
        assertEquals(
                "agent get_clean_steps for node n1 returned an invalid result. Keys: [hardware_manager_version] are "
                        + "missing from result: {\"clean_steps\":{}}.",
                e.getMessage());
        JsonObject badStep = new JsonObject(
                """
                {"deploy_steps": {"M": [{"step": "x", "interface": "deploy"}]}, "hardware_manager_version": {}}""");
        e = assertThrows(IllegalArgumentException.class, () -> AgentSteps.parse(StepType.DEPLOY, "n1", badStep));
        assertTrue(
                e.getMessage()
                        .startsWith("agent get_deploy_steps for node n1 returned an invalid deploy step. "
                                + "Keys: [priority] are missing"),
                e.getMessage());
    }
}
