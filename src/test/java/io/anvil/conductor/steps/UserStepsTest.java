package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manual clean steps: the API's shape check and the conductor's check against what the node offers. */
class UserStepsTest {
    private static final List<Step> OFFERED = List.of(
            Step.of("power", "update_firmware", 10)
                    .withArgsinfo(new JsonObject()
                            .put(
                                    "force",
                                    new JsonObject()
                                            .put("description", "Force it")
                                            .put("required", false))),
            Step.of("deploy", "erase_disks", 20).withAbortable(true).withRequiresRamdisk(true),
            Step.of("deploy", "build_raid", 0)
                    .withArgsinfo(new JsonObject()
                            .put(
                                    "arg1",
                                    new JsonObject().put("description", "Size").put("required", true))),
            Step.of("bios", "apply_configuration", 0).withRequiresRamdisk(false));

    private static JsonObject step(String iface, String name) {
        return new JsonObject().put("interface", iface).put("step", name);
    }

    private static List<Step> validateClean(JsonArray user, boolean disableRamdisk) {
        return UserSteps.validate(
                StepType.CLEAN, UserSteps.checkShape(StepType.CLEAN, user), OFFERED, false, disableRamdisk, null);
    }

    @Test
    void validStepsTakeTheDriversPriorityAndAbortableAndKeepHoldAndWaitInPlace() {
        JsonArray user = new JsonArray()
                .add(step("power", "update_firmware").put("args", new JsonObject().put("force", true)))
                .add(step("deploy", "hold"))
                .add(step("deploy", "erase_disks"))
                .add(step("deploy", "wait").put("args", new JsonObject().put("seconds", 5)));
        List<Step> out = validateClean(user, false);
        assertEquals(
                List.of("power.update_firmware", "deploy.hold", "deploy.erase_disks", "deploy.wait"),
                out.stream().map(Step::id).toList());
        assertEquals(10, out.get(0).priority());
        assertEquals(new JsonObject().put("force", true), out.get(0).args());
        assertEquals(20, out.get(2).priority());
        assertTrue(out.get(2).abortable());
        assertEquals(5, ReservedStep.waitSeconds(out.get(3), 30).orElseThrow());
        assertEquals(
                30,
                ReservedStep.waitSeconds(out.get(3).withArgs(new JsonObject().put("seconds", 999)), 30)
                        .orElseThrow());
        assertTrue(ReservedStep.waitSeconds(out.get(1), 30).isEmpty());
        // the manual plan runs them exactly in the user's order
        assertEquals(out, StepPlanner.manual(out));
    }

    @Test
    void unknownStepUnexpectedAndMissingArgumentsAreAllReported() {
        JsonArray user = new JsonArray()
                .add(step("deploy", "bad_step"))
                .add(step("power", "update_firmware")
                        .put("args", new JsonObject().put("arg1", 1).put("arg2", 2)))
                .add(step("deploy", "build_raid"));
        StepValidationException e = assertThrows(StepValidationException.class, () -> validateClean(user, false));
        assertEquals(400, e.status());
        assertEquals(
                "node does not support this clean step: {\"interface\":\"deploy\",\"step\":\"bad_step\"}; "
                        + "clean step {\"interface\":\"power\",\"step\":\"update_firmware\",\"args\":{\"arg1\":1,\"arg2\":2}}"
                        + " has these unexpected arguments: arg1, arg2; "
                        + "clean step {\"interface\":\"deploy\",\"step\":\"build_raid\"} is missing these required "
                        + "arguments: arg1 (Size)",
                e.getMessage());
    }

    @Test
    void disableRamdiskAcceptsOnlyOutOfBandSteps() {
        assertEquals(
                1,
                validateClean(new JsonArray().add(step("bios", "apply_configuration")), true)
                        .size());
        StepValidationException e = assertThrows(
                StepValidationException.class,
                () -> validateClean(new JsonArray().add(step("deploy", "erase_disks")), true));
        assertTrue(e.getMessage().endsWith("requires booting a ramdisk"), e.getMessage());
    }

    @Test
    void skipMissingDefersUnknownStepsUntilTheAgentReports() {
        List<Step> out = UserSteps.validate(
                StepType.CLEAN,
                List.of(step("deploy", "erase_devices_metadata"), step("deploy", "erase_disks")),
                OFFERED,
                true,
                false,
                null);
        assertEquals(List.of("deploy.erase_disks"), out.stream().map(Step::id).toList());
    }

    @Test
    void shapeErrorsUseIroncsSchemaWording() {
        assertShape(StepType.CLEAN, new JsonObject(), "Invalid clean_steps: {} is not of type 'array'");
        assertShape(
                StepType.CLEAN,
                new JsonArray().add(new JsonObject().put("step", "x")),
                "Invalid clean_steps: 'interface' is a required property");
        assertShape(
                StepType.CLEAN,
                new JsonArray().add(step("inspect", "x")),
                "Invalid clean_steps: 'inspect' is not one of "
                        + "['vendor', 'power', 'management', 'firmware', 'deploy', 'bios', 'raid']");
        assertShape(
                StepType.CLEAN,
                new JsonArray().add(step("deploy", "x").put("priority", 3)),
                "Invalid clean_steps: Additional properties are not allowed ('priority' was unexpected)");
        assertShape(StepType.CLEAN, new JsonArray().add(step("deploy", "")), "Invalid clean_steps: '' is too short");
        assertShape(
                StepType.CLEAN,
                new JsonArray().add(step("deploy", "x").put("args", "a")),
                "Invalid clean_steps: 'a' is not of type 'object'");
        assertShape(
                StepType.DEPLOY,
                new JsonArray().add(step("deploy", "x").put("args", new JsonObject())),
                "Invalid deploy_steps: 'priority' is a required property");
        assertShape(
                StepType.DEPLOY,
                new JsonArray()
                        .add(step("deploy", "x").put("args", new JsonObject()).put("priority", -1)),
                "Invalid deploy_steps: -1 is not valid under any of the given schemas");
        assertShape(
                StepType.DEPLOY,
                new JsonArray()
                        .add(step("deploy", "x").put("args", new JsonObject()).put("priority", "1a")),
                "Invalid deploy_steps: '1a' is not valid under any of the given schemas");
    }

    private static void assertShape(StepType type, Object steps, String message) {
        StepValidationException e =
                assertThrows(StepValidationException.class, () -> UserSteps.checkShape(type, steps));
        assertEquals(message, e.getMessage());
    }

    @Test
    void childNodeStepsAreRefusedClearly() {
        StepValidationException e = assertThrows(
                StepValidationException.class,
                () -> validateClean(
                        new JsonArray().add(step("deploy", "erase_disks").put("execute_on_child_nodes", true)), false));
        assertTrue(e.getMessage().contains("child nodes"), e.getMessage());
    }
}
