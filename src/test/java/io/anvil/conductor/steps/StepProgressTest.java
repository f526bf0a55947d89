package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The persisted progress: plan, begin, resume after a crash or a reboot, abort_after, finish. */
class StepProgressTest {
    private static final List<Step> PLAN = List.of(
            Step.of("deploy", "erase_devices_metadata", 99).withAbortable(true),
            Step.of("management", "reset_bmc", 50),
            Step.of("deploy", "erase_devices", 10));

    private static JsonObject node() {
        return new JsonObject()
                .put("uuid", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
                .put("driver_internal_info", new JsonObject().put("agent_url", "http://10.0.0.5:9999"))
                .putNull("clean_step");
    }

    /** Applies an update as the engine's fenced write would. */
    private static JsonObject apply(JsonObject node, StepType type, StepProgress.Update u) {
        JsonObject n = node.copy().put("driver_internal_info", u.driverInternalInfo());
        if (u.stepField() == null) {
            n.putNull(type.nodeField());
        } else {
            n.put(type.nodeField(), u.stepField());
        }
        // through JSON, as PostgreSQL would store it
        return new JsonObject(n.encode());
    }

    @Test
    void walkThroughAPlanSurvivingARestartAtEveryPoint() {
        JsonObject n = apply(node(), StepType.CLEAN, StepProgress.plan(node(), StepType.CLEAN, PLAN));
        assertEquals(new JsonObject(), n.getJsonObject("clean_step"));
        assertTrue(n.getJsonObject("driver_internal_info").containsKey("clean_step_index"));
        assertEquals(PLAN, StepProgress.planned(n, StepType.CLEAN));
        assertEquals(Optional.of(0), StepProgress.resume(n, StepType.CLEAN).nextIndex());

        n = apply(n, StepType.CLEAN, StepProgress.begin(n, StepType.CLEAN, 0));
        assertEquals(PLAN.get(0), StepProgress.current(n, StepType.CLEAN).orElseThrow());
        assertEquals(0, n.getJsonObject("driver_internal_info").getInteger("clean_step_index"));
        // the step ended (agent reports success): the next one is 1
        assertEquals(Optional.of(1), StepProgress.resume(n, StepType.CLEAN).nextIndex());

        // the agent is rebooting inside the step: after it comes back the same step runs again
        JsonObject rebooting = apply(n, StepType.CLEAN, StepProgress.setFlags(n, StepType.CLEAN, true, false, null));
        assertTrue(StepProgress.rebooted(rebooting, StepType.CLEAN));
        StepProgress.Resume r = StepProgress.resume(rebooting, StepType.CLEAN);
        assertEquals(Optional.of(0), r.nextIndex());
        assertFalse(r.update().driverInternalInfo().containsKey("skip_current_clean_step"), "the flag is consumed");
        assertEquals(PLAN.get(0).toJson(), r.update().stepField());

        n = apply(n, StepType.CLEAN, StepProgress.begin(n, StepType.CLEAN, 2));
        assertEquals(
                Optional.empty(), StepProgress.resume(n, StepType.CLEAN).nextIndex(), "nothing left after the last");

        JsonObject done = apply(n, StepType.CLEAN, StepProgress.finish(n, StepType.CLEAN));
        assertNull(done.getValue("clean_step"));
        JsonObject dii = done.getJsonObject("driver_internal_info");
        assertTrue(dii.containsKey("clean_steps") && dii.getValue("clean_steps") == null, dii.encode());
        assertFalse(dii.containsKey("clean_step_index"));
        assertEquals("http://10.0.0.5:9999", dii.getString("agent_url"), "agent keys are the agent's business");
    }

    @Test
    void anEmptyPlanHasNoNextStep() {
        JsonObject n = apply(node(), StepType.DEPLOY, StepProgress.plan(node(), StepType.DEPLOY, List.of()));
        assertEquals(Optional.empty(), StepProgress.nextIndex(n, StepType.DEPLOY, true));
    }

    @Test
    void abortAfterMarksTheRunningStep() {
        JsonObject n = apply(node(), StepType.CLEAN, StepProgress.plan(node(), StepType.CLEAN, PLAN));
        assertTrue(StepProgress.markAbortAfter(n, StepType.CLEAN).isEmpty(), "no running step, nothing to mark");
        n = apply(n, StepType.CLEAN, StepProgress.begin(n, StepType.CLEAN, 1));
        n = apply(
                n,
                StepType.CLEAN,
                StepProgress.markAbortAfter(n, StepType.CLEAN).orElseThrow());
        assertTrue(n.getJsonObject("clean_step").getBoolean("abort_after"));
        assertTrue(StepProgress.current(n, StepType.CLEAN).orElseThrow().abortAfter());
    }

    @Test
    void pollingFlagIsClearedWhenANewStepBegins() {
        JsonObject n = apply(node(), StepType.DEPLOY, StepProgress.plan(node(), StepType.DEPLOY, PLAN));
        n = apply(n, StepType.DEPLOY, StepProgress.begin(n, StepType.DEPLOY, 0));
        n = apply(n, StepType.DEPLOY, StepProgress.setFlags(n, StepType.DEPLOY, null, null, true));
        assertTrue(StepProgress.polling(n, StepType.DEPLOY));
        assertTrue(n.getJsonObject("driver_internal_info").containsKey("deployment_polling"));
        n = apply(n, StepType.DEPLOY, StepProgress.begin(n, StepType.DEPLOY, 1));
        assertFalse(StepProgress.polling(n, StepType.DEPLOY));
    }

    @Test
    void stepJsonRoundTripsIronicsKeys() {
        JsonObject stored = new JsonObject(
                """
                {"interface": "deploy", "step": "erase_devices", "priority": 10, "abortable": true,
                 "argsinfo": {"a": {"description": "d", "required": false}}, "requires_ramdisk": true,
                 "reboot_requested": true}""");
        assertEquals(stored, Step.fromJson(stored).toJson());
        assertEquals(
                7,
                Step.fromJson(new JsonObject()
                                .put("interface", "deploy")
                                .put("step", "x")
                                .put("priority", "7"))
                        .priority());
    }
}
