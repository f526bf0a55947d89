package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordering, overrides and deploy-step merging, with the cases of Ironic's test_steps.py. */
class StepPlannerTest {

    private static List<String> ids(List<Step> steps) {
        return steps.stream().map(s -> s.id() + "@" + s.priority()).toList();
    }

    @Test
    void cleanStepsRunByPriorityThenByInterfaceRank() {
        List<Step> offered = List.of(
                Step.of("deploy", "erase_devices", 10),
                Step.of("raid", "create_configuration", 10),
                Step.of("power", "update_firmware", 10),
                Step.of("management", "reset_bmc", 10),
                Step.of("vendor", "vendor_thing", 10),
                Step.of("bios", "apply", 10),
                Step.of("firmware", "update", 10),
                Step.of("deploy", "erase_devices_metadata", 99));
        List<Step> plan = StepPlanner.automatedClean(offered, PriorityOverrides.none());
        // Ironic's CLEANING_INTERFACE_PRIORITY: vendor 7, power 6, management 5, firmware 4, deploy 3, bios 2, raid 1
        assertEquals(
                List.of(
                        "deploy.erase_devices_metadata@99",
                        "vendor.vendor_thing@10",
                        "power.update_firmware@10",
                        "management.reset_bmc@10",
                        "firmware.update@10",
                        "deploy.erase_devices@10",
                        "bios.apply@10",
                        "raid.create_configuration@10"),
                ids(plan));
    }

    @Test
    void fullTiesKeepTheirInputOrder() {
        List<Step> a = List.of(Step.of("deploy", "b_step", 5), Step.of("deploy", "a_step", 5));
        assertEquals(List.of("deploy.b_step@5", "deploy.a_step@5"), ids(StepPlanner.enabledSorted(StepType.CLEAN, a)));
        List<Step> reversed = List.of(a.get(1), a.get(0));
        assertEquals(
                List.of("deploy.a_step@5", "deploy.b_step@5"),
                ids(StepPlanner.enabledSorted(StepType.CLEAN, reversed)));
    }

    @Test
    void automatedCleaningDropsPriorityZero() {
        List<Step> plan = StepPlanner.automatedClean(
                List.of(Step.of("deploy", "erase_devices", 0), Step.of("deploy", "erase_devices_metadata", 99)),
                PriorityOverrides.none());
        assertEquals(List.of("deploy.erase_devices_metadata@99"), ids(plan));
    }

    @Test
    void overridesApplyBeforeDisabledStepsAreDropped() {
        PriorityOverrides o = PriorityOverrides.parse(
                List.of("deploy.erase_devices:0", "management.reset_bmc:123", "deploy.erase_devices_metadata:5"));
        List<Step> plan = StepPlanner.automatedClean(
                List.of(
                        Step.of("deploy", "erase_devices", 10),
                        Step.of("management", "reset_bmc", 0),
                        Step.of("deploy", "erase_devices_metadata", 99)),
                o);
        assertEquals(List.of("management.reset_bmc@123", "deploy.erase_devices_metadata@5"), ids(plan));
    }

    @Test
    void laterOverrideOfTheSameStepWinsAndMalformedEntriesAreRefused() {
        assertEquals(
                7,
                PriorityOverrides.parse(List.of("deploy.x:1", "deploy.x:7"))
                        .asMap()
                        .get("deploy.x"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PriorityOverrides.parse(List.of("erase_devices=0")));
        assertTrue(e.getMessage().contains("interface.step:priority"), e.getMessage());
    }

    @Test
    void serviceOrderRanksNetworkFirst() {
        List<Step> s = new ArrayList<>(List.of(Step.of("vendor", "v", 1), Step.of("network", "n", 1)));
        s.sort(StepType.SERVICE.executionOrder());
        assertEquals(List.of("network.n@1", "vendor.v@1"), ids(s));
    }

    @Test
    void outOfBandStepsShadowAgentStepsOfTheSameName() {
        Step oob = Step.of("deploy", "write_image", 80).withAbortable(true);
        Step inband = Step.of("deploy", "write_image", 10);
        Step other = Step.of("deploy", "erase_devices_metadata", 99);
        List<Step> offered = StepPlanner.offered(List.of(oob), List.of(inband, other));
        assertEquals(List.of("deploy.write_image@80", "deploy.erase_devices_metadata@99"), ids(offered));
    }

    // ---- deploy ----

    private static final List<Step> DRIVER_DEPLOY = List.of(
            Step.of("deploy", "deploy", 100),
            Step.of("deploy", "write_image", 80),
            Step.of("deploy", "prepare_instance_boot", 60),
            Step.of("deploy", "tear_down_agent", 40),
            Step.of("deploy", "switch_to_tenant_network", 30),
            Step.of("deploy", "boot_instance", 20),
            Step.of("raid", "apply_configuration", 0)
                    .withArgsinfo(new JsonObject()
                            .put(
                                    "raid_config",
                                    new JsonObject()
                                            .put("description", "The RAID config")
                                            .put("required", true))),
            Step.of("bios", "apply_configuration", 0));

    private List<Step> userDeploy(JsonArray steps) {
        return UserSteps.validate(
                StepType.DEPLOY,
                UserSteps.checkShape(StepType.DEPLOY, steps),
                DRIVER_DEPLOY,
                false,
                false,
                UserSteps.DEPLOY_ARGUMENT_PREFIX);
    }

    @Test
    void deployRunsEnabledDriverStepsInOrder() {
        assertEquals(
                List.of(
                        "deploy.deploy@100",
                        "deploy.write_image@80",
                        "deploy.prepare_instance_boot@60",
                        "deploy.tear_down_agent@40",
                        "deploy.switch_to_tenant_network@30",
                        "deploy.boot_instance@20"),
                ids(StepPlanner.deploy(DRIVER_DEPLOY, List.of())));
    }

    @Test
    void userDeployStepsAddReprioritiseAndDisable() {
        JsonArray user = new JsonArray()
                .add(new JsonObject()
                        .put("interface", "raid")
                        .put("step", "apply_configuration")
                        .put("args", new JsonObject().put("raid_config", new JsonObject()))
                        .put("priority", "90"))
                .add(new JsonObject()
                        .put("interface", "deploy")
                        .put("step", "switch_to_tenant_network")
                        .put("args", new JsonObject())
                        .put("priority", 0))
                .add(new JsonObject()
                        .put("interface", "deploy")
                        .put("step", "tear_down_agent")
                        .put("args", new JsonObject())
                        .put("priority", 85))
                .add(new JsonObject()
                        .put("interface", "deploy")
                        .put("step", "hold")
                        .put("args", new JsonObject())
                        .put("priority", 70));
        List<Step> plan = StepPlanner.deploy(DRIVER_DEPLOY, userDeploy(user));
        assertEquals(
                List.of(
                        "deploy.deploy@100",
                        "raid.apply_configuration@90",
                        "deploy.tear_down_agent@85",
                        "deploy.write_image@80",
                        "deploy.hold@70",
                        "deploy.prepare_instance_boot@60",
                        "deploy.boot_instance@20"),
                ids(plan));
    }

    @Test
    void theCoreDeployStepCanBeDisabledButNotReprioritised() {
        JsonArray raise = new JsonArray()
                .add(new JsonObject()
                        .put("interface", "deploy")
                        .put("step", "deploy")
                        .put("args", new JsonObject())
                        .put("priority", 50));
        StepValidationException e = assertThrows(StepValidationException.class, () -> userDeploy(raise));
        assertEquals(
                "Validation of deploy steps from \"deploy steps\" argument failed. deploy step deploy on interface "
                        + "deploy is a core step and cannot be overridden by user steps. It may be disabled by setting "
                        + "the priority to 0",
                e.getMessage());
        assertEquals(400, e.status());
        JsonArray disable = new JsonArray().add(raise.getJsonObject(0).copy().put("priority", 0));
        assertFalse(ids(StepPlanner.deploy(DRIVER_DEPLOY, userDeploy(disable))).contains("deploy.deploy@100"));
    }

    @Test
    void duplicateAndMissingArgumentDeployStepsAreRefusedTogether() {
        JsonObject raid = new JsonObject()
                .put("interface", "raid")
                .put("step", "apply_configuration")
                .put("args", new JsonObject())
                .put("priority", 10);
        StepValidationException e = assertThrows(
                StepValidationException.class,
                () -> userDeploy(new JsonArray().add(raid).add(raid.copy())));
        assertTrue(
                e.getMessage().contains("is missing these required arguments: raid_config (The RAID config)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Duplicate deploy steps for raid.apply_configuration"), e.getMessage());
        // a disabled step's arguments need not be complete
        userDeploy(new JsonArray().add(raid.copy().put("priority", 0)));
    }

    @Test
    void allOutOfBandOnlyWhenEveryStepSaysSo() {
        List<Step> offered =
                List.of(Step.of("bios", "apply", 0).withRequiresRamdisk(false), Step.of("deploy", "erase_devices", 0));
        assertTrue(
                StepPlanner.allOutOfBand(List.of(Step.of("bios", "apply", 0), Step.of("deploy", "hold", 0)), offered));
        assertFalse(StepPlanner.allOutOfBand(List.of(Step.of("deploy", "erase_devices", 0)), offered));
        assertFalse(StepPlanner.allOutOfBand(List.of(Step.of("deploy", "unknown", 0)), offered));
    }
}
