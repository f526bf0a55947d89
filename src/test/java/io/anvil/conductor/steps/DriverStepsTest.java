package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Steps declared with annotations on interface implementations: collected, checked and invoked. */
class DriverStepsTest {
    /** Stands in for the task type; the registry does not care what it is. */
    record FakeTask(List<String> log) {}

    static class Deploy {
        @DeployStep(priority = 100)
        public Future<Object> deploy(FakeTask t) {
            t.log().add("deploy");
            return Future.succeededFuture();
        }

        @DeployStep(priority = 60, abortable = false)
        public Future<Object> prepareInstanceBoot(FakeTask t) {
            return Future.succeededFuture();
        }

        @CleanStep(
                priority = 0,
                abortable = true,
                argsinfo = {@StepArg(name = "passes", description = "How many passes", required = true)})
        public Future<Object> eraseDevices(FakeTask t, JsonObject args) {
            t.log().add("erase " + args.getInteger("passes"));
            return Future.succeededFuture();
        }

        @CleanStep(priority = 5, name = "fail_now", requiresRamdisk = false)
        public Future<Object> failing(FakeTask t) {
            throw new IllegalStateException("boom");
        }

        public Future<Object> notAStep(FakeTask t) {
            return Future.succeededFuture();
        }
    }

    static class Management {
        @CleanStep(priority = 5, requiresRamdisk = false)
        public Future<Object> resetBmc(FakeTask t) {
            return Future.succeededFuture();
        }
    }

    static class BadPriority {
        @DeployStep(priority = -1)
        public Future<Object> x(FakeTask t) {
            return Future.succeededFuture();
        }
    }

    static class BadShape {
        @CleanStep(priority = 1)
        public void x(FakeTask t) {}
    }

    static class Undescribed {
        @CleanStep(priority = 1, argsinfo = @StepArg(name = "a", description = ""))
        public Future<Object> x(FakeTask t, JsonObject args) {
            return Future.succeededFuture();
        }
    }

    private static Map<String, Object> interfaces() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deploy", new Deploy());
        m.put("management", new Management());
        m.put("rescue", null);
        return m;
    }

    @Test
    void collectsDeclaredStepsWithIronicsNamesAndDefaults() {
        List<Step> deploy = DriverSteps.collect(StepType.DEPLOY, interfaces());
        assertEquals(
                List.of("deploy.deploy", "deploy.prepare_instance_boot"),
                deploy.stream().map(Step::id).toList());
        assertTrue(deploy.get(0).abortable(), "deploy steps are abortable by default");
        assertFalse(deploy.get(1).abortable());
        assertEquals(null, deploy.get(0).requiresRamdisk());

        List<Step> clean = DriverSteps.collect(StepType.CLEAN, interfaces());
        // Ironic's interface order (management before deploy), then by name within an interface
        assertEquals(
                List.of("management.reset_bmc", "deploy.erase_devices", "deploy.fail_now"),
                clean.stream().map(Step::id).toList());
        Step erase = clean.get(1);
        assertTrue(erase.abortable());
        assertTrue(erase.needsRamdisk());
        assertEquals(
                new JsonObject()
                        .put(
                                "passes",
                                new JsonObject()
                                        .put("description", "How many passes")
                                        .put("required", true)),
                erase.argsinfo());
        assertFalse(clean.get(0).needsRamdisk());
    }

    @Test
    void invokesWithArgumentsAndTurnsThrowsIntoFailedFutures() {
        Map<String, Object> ifaces = interfaces();
        FakeTask task = new FakeTask(new ArrayList<>());
        Step erase = Step.of("deploy", "erase_devices", 0).withArgs(new JsonObject().put("passes", 3));
        DriverSteps.Declared d = DriverSteps.find(StepType.CLEAN, ifaces, erase).orElseThrow();
        assertTrue(DriverSteps.invoke(d, ifaces.get("deploy"), task, erase).succeeded());
        DriverSteps.Declared dep = DriverSteps.find(StepType.DEPLOY, ifaces, Step.of("deploy", "deploy", 100))
                .orElseThrow();
        DriverSteps.invoke(dep, ifaces.get("deploy"), task, Step.of("deploy", "deploy", 100));
        assertEquals(List.of("erase 3", "deploy"), task.log());

        Step fail = Step.of("deploy", "fail_now", 5);
        Future<Object> f = DriverSteps.invoke(
                DriverSteps.find(StepType.CLEAN, ifaces, fail).orElseThrow(), ifaces.get("deploy"), task, fail);
        assertTrue(f.failed());
        assertEquals("boom", f.cause().getMessage());
        assertTrue(
                DriverSteps.find(StepType.CLEAN, ifaces, Step.of("deploy", "erase_devices_metadata", 99))
                        .isEmpty(),
                "an agent step has no driver method");
    }

    @Test
    void badDeclarationsFailWhenTheClassIsFirstRead() {
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> DriverSteps.collect(StepType.DEPLOY, Map.of("deploy", new BadPriority())))
                .getMessage()
                .contains("must be an integer value >= 0"));
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> DriverSteps.collect(StepType.CLEAN, Map.of("deploy", new BadShape())))
                .getMessage()
                .contains("returning a Future"));
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> DriverSteps.collect(StepType.CLEAN, Map.of("deploy", new Undescribed())))
                .getMessage()
                .contains("is missing a \"description\""));
    }
}
