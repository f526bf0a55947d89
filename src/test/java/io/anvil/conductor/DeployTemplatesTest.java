package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.conductor.steps.Step;
import io.anvil.conductor.steps.StepPlanner;
import io.anvil.conductor.steps.StepValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How deploy template steps join a deployment's plan (Ironic's _get_all_deployment_steps). */
class DeployTemplatesTest {
    private static final List<Step> OFFERED = List.of(
            Step.of("deploy", "deploy", 100), Step.of("deploy", "write_image", 80), Step.of("raid", "apply", 0));

    private static JsonObject stored(String template, JsonObject... steps) {
        return new JsonObject()
                .put("templates", new JsonArray().add(template))
                .put("steps", new JsonArray(List.of((Object[]) steps)));
    }

    private static JsonObject step(String iface, String name, int priority) {
        return new JsonObject()
                .put("interface", iface)
                .put("step", name)
                .put("args", new JsonObject())
                .put("priority", priority);
    }

    @Test
    void aTemplateStepEnablesAndReprioritisesDriverSteps() {
        List<Step> template = DeployTemplates.validated(
                stored("CUSTOM_T", step("raid", "apply", 90), step("deploy", "write_image", 0)), OFFERED, false);
        List<Step> plan = StepPlanner.deploy(OFFERED, DeployTemplates.withUserSteps(List.of(), template));
        assertEquals(
                List.of("deploy.deploy", "raid.apply"),
                plan.stream().map(Step::id).toList());
        assertEquals(90, plan.get(1).priority());
    }

    @Test
    void aUserStepWinsOverTheTemplatesStepOfTheSameName() {
        List<Step> template = DeployTemplates.validated(stored("CUSTOM_T", step("raid", "apply", 90)), OFFERED, false);
        List<Step> user = List.of(Step.of("raid", "apply", 0));
        assertEquals(
                List.of("deploy.deploy", "deploy.write_image"),
                StepPlanner.deploy(OFFERED, DeployTemplates.withUserSteps(user, template)).stream()
                        .map(Step::id)
                        .toList());
    }

    @Test
    void anUnsupportedStepFailsWithIronicsMessageOnceStepsAreKnown() {
        JsonObject bad = stored("CUSTOM_X", step("bios", "apply_configuration", 10));
        assertEquals(
                List.of(), DeployTemplates.validated(bad, OFFERED, true), "skipped while in-band steps are unknown");
        StepValidationException e =
                assertThrows(StepValidationException.class, () -> DeployTemplates.validated(bad, OFFERED, false));
        assertEquals(
                "Validation of deploy steps from deploy templates matching this node's instance traits failed."
                        + " Matching deploy templates: CUSTOM_X. Errors: node does not support this deploy step: "
                        + step("bios", "apply_configuration", 10).encode(),
                e.getMessage());
    }
}
