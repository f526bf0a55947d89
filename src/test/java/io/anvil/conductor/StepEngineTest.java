package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.AgentCommandStarted;
import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The step engine on fake-hardware nodes (no agent): manual cleaning with steps, the reserved steps (hold, wait,
 * power_off), unhold and abort of a hold, user deploy_steps checked before anything changes, a failing preparation,
 * automated cleaning switched off per node, and the concurrency limits (Ironic scenario 28). The agent-driven
 * engine is AgentStepsTest's.
 */
class StepEngineTest extends AgentTestSupport {
    /**
     * A deploy interface whose clean steps start work "in the agent" and finish when the test says so, to drive the
     * wait loop and abort_after without a ramdisk: a heartbeat asks {@link #agentCommandStatus}.
     */
    public static final class AsyncSteps implements DeployInterface {
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        final Set<String> tornDown = ConcurrentHashMap.newKeySet();

        @Override
        @DeployStep(priority = 100)
        public Future<StepOutcome> deploy(DriverTask task) {
            return Future.succeededFuture(StepOutcome.DONE);
        }

        @CleanStep(priority = 0, requiresRamdisk = false)
        public Future<Object> slowStep(DriverTask task) {
            return Future.succeededFuture(new AgentCommandStarted("slow_step"));
        }

        @CleanStep(priority = 0, requiresRamdisk = false, abortable = true)
        public Future<Object> slowAbortableStep(DriverTask task) {
            return Future.succeededFuture(new AgentCommandStarted("slow_abortable_step"));
        }

        @Override
        public boolean continuesOnHeartbeat(String provisionState) {
            return "clean wait".equals(provisionState);
        }

        @Override
        public Future<AsyncStepStatus> agentCommandStatus(DriverTask task, AgentReport report, String command) {
            return Future.succeededFuture(
                    finished.contains(task.uuid()) ? AsyncStepStatus.succeeded() : AsyncStepStatus.running());
        }

        @Override
        public Future<Void> tearDownCleaning(DriverTask task) {
            tornDown.add(task.uuid());
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> tearDown(DriverTask task) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> takeOver(DriverTask task) {
            return Future.succeededFuture();
        }
    }

    private final AsyncSteps async = new AsyncSteps();

    @BeforeAll
    void registerAsyncSteps() {
        tasks().drivers().registerDeploy("async-test", async);
    }

    private String asyncNode() {
        String uuid = createNode("manageable");
        sql("UPDATE nodes SET deploy_interface = 'async-test' WHERE uuid = ?", uuid);
        return uuid;
    }

    private void heartbeatOf(String uuid) {
        await(new AgentHeartbeats(tasks(), provisioning().steps())
                .continueAfterHeartbeat(uuid, new AgentReport("http://agent.invalid", "test", null, null, null)));
    }

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("conductor.max_concurrent_deploy", 2, "conductor.max_concurrent_clean", 3);
    }

    private static JsonObject step(String iface, String name) {
        return new JsonObject().put("interface", iface).put("step", name);
    }

    private Resp clean(String uuid, JsonArray steps) {
        return putProvision(uuid, new JsonObject().put("target", "clean").put("clean_steps", steps));
    }

    private Map<String, Object> row(String uuid) {
        return rows(
                        "SELECT provision_state, target_provision_state, power_state, last_error, maintenance, fault,"
                                + " clean_step::text AS clean_step, deploy_step::text AS deploy_step,"
                                + " driver_internal_info::text AS dii FROM nodes WHERE uuid = ?",
                        uuid)
                .get(0);
    }

    @Test
    void abortDuringANonAbortableStepWaitsForItThenFailsTheNode() {
        String uuid = asyncNode();
        assertEquals(
                202,
                clean(uuid, new JsonArray().add(step("deploy", "slow_step"))).status());
        waitForState(uuid, "clean wait");
        assertEquals("slow_step", internal(uuid).getString(StepEngine.AWAITED_COMMAND));
        heartbeatOf(uuid); // the step still runs: nothing changes
        assertEquals("clean wait", row(uuid).get("provision_state"));

        assertEquals(202, putProvision(uuid, "abort").status());
        // Ironic scenario 29: only abort_after is set, the node stays
        assertEquals("clean wait", row(uuid).get("provision_state"));
        assertEquals(true, new JsonObject((String) row(uuid).get("clean_step")).getBoolean("abort_after"));
        assertFalse(async.tornDown.contains(uuid));

        async.finished.add(uuid);
        heartbeatOf(uuid);
        waitForState(uuid, "clean failed");
        Map<String, Object> r = row(uuid);
        assertEquals(
                "By request, the clean operation was aborted for node " + uuid
                        + " after the completion of step \"deploy.slow_step\".",
                r.get("last_error"));
        assertEquals("manageable", r.get("target_provision_state"));
        assertEquals(false, r.get("maintenance"));
        assertNull(r.get("clean_step"));
        assertTrue(async.tornDown.contains(uuid), "the abort clean-up ran");
    }

    @Test
    void abortDuringAnAbortableStepFailsTheNodeAtOnce() {
        String uuid = asyncNode();
        assertEquals(
                202,
                clean(uuid, new JsonArray().add(step("deploy", "slow_abortable_step")))
                        .status());
        waitForState(uuid, "clean wait");
        assertEquals(202, putProvision(uuid, "abort").status());
        assertEquals("clean failed", row(uuid).get("provision_state"), "decided before the API answered");
        waitUntil("torn down", () -> async.tornDown.contains(uuid));
        waitUntil("steps forgotten", () -> row(uuid).get("clean_step") == null);
        assertEquals(
                "By request, the clean operation was aborted for node " + uuid + ".",
                row(uuid).get("last_error"));
    }

    @Test
    void aStepFinishedInTheAgentContinuesTheListOnTheNextHeartbeat() {
        String uuid = asyncNode();
        JsonArray steps = new JsonArray().add(step("deploy", "slow_step")).add(step("power", "power_off"));
        assertEquals(202, clean(uuid, steps).status());
        waitForState(uuid, "clean wait");
        async.finished.add(uuid);
        heartbeatOf(uuid);
        waitForState(uuid, "manageable");
        assertEquals("power off", row(uuid).get("power_state"), "the step after the agent's ran");
        // every step was out-of-band, so no ramdisk was booted and none is torn down (cleaning_disable_ramdisk)
        assertFalse(async.tornDown.contains(uuid));
    }

    @Test
    void abortInDeployWaitFailsTheDeployAndForgetsItsSteps() {
        String uuid = createNode("available", new JsonObject().put("fake_deploy_wait", true));
        assertEquals(202, putProvision(uuid, "active").status());
        waitForState(uuid, "wait call-back");
        assertEquals("deploy", new JsonObject((String) row(uuid).get("deploy_step")).getString("step"));
        // abort in wait call-back is API 1.110, above the advertised 1.78: the conductor's own entry point
        await(provision(uuid, io.anvil.fsm.ApiVerb.ABORT));
        waitForState(uuid, "deploy failed");
        waitUntil("steps forgotten", () -> row(uuid).get("deploy_step") == null);
        Map<String, Object> r = row(uuid);
        assertEquals("By request, the deploy operation was aborted for node " + uuid + ".", r.get("last_error"));
        assertEquals("active", r.get("target_provision_state"));
        // and the node can be deployed again
        sql("UPDATE nodes SET driver_info = '{}'::jsonb WHERE uuid = ?", uuid);
        assertEquals(202, putProvision(uuid, "active").status());
        waitForState(uuid, "active");
    }

    @Test
    void servicingRunsTheUsersStepsAndReturnsToActive() {
        String uuid = createNode("active");
        JsonObject body = new JsonObject()
                .put("target", "service")
                .put(
                        "service_steps",
                        new JsonArray().add(step("power", "power_off")).add(step("power", "power_on")));
        // service is API 1.87, above the advertised 1.78: the conductor's own entry point
        await(provisioning().provision(uuid, io.anvil.fsm.ApiVerb.SERVICE, body));
        waitForState(uuid, "active");
        Map<String, Object> r = row(uuid);
        assertNull(r.get("last_error"));
        assertEquals("power on", r.get("power_state"));
        assertTrue(eventTypes(uuid, "baremetal.node.provision_set").size() >= 2, "servicing went through its states");
    }

    @Test
    void manualCleaningRunsTheUsersStepsAndReturnsToManageable() {
        String uuid = createNode("manageable");
        JsonArray steps = new JsonArray()
                .add(step("deploy", "erase_devices_metadata"))
                .add(step("power", "power_off"))
                .add(step("deploy", "erase_devices"));
        assertEquals(202, clean(uuid, steps).status());
        waitForState(uuid, "manageable");
        Map<String, Object> r = row(uuid);
        assertNull(r.get("last_error"));
        assertNull(r.get("clean_step"), "the step field is cleared at the end");
        assertEquals("power off", r.get("power_state"), "the reserved power_off step ran");
        JsonObject dii = new JsonObject((String) r.get("dii"));
        assertNull(dii.getValue("clean_steps"), "the plan is forgotten: " + dii);
        assertFalse(dii.containsKey("clean_step_index"), dii::encode);
        List<String> events = eventTypes(uuid, "baremetal.node.provision_set");
        assertTrue(events.contains("baremetal.node.provision_set.end"), events::toString);
    }

    @Test
    void aStepTheNodeDoesNotOfferFailsManualCleaningWithIronicsMessage() {
        String uuid = createNode("manageable");
        assertEquals(
                202,
                clean(uuid, new JsonArray().add(step("deploy", "no_such_step"))).status());
        waitForState(uuid, "clean failed");
        Map<String, Object> r = row(uuid);
        assertTrue(String.valueOf(r.get("last_error")).contains("node does not support this clean step"), r::toString);
        assertEquals("manageable", r.get("target_provision_state"), "manual cleaning keeps its target");
        assertEquals(false, r.get("maintenance"), "no step ran: no maintenance");
    }

    @Test
    void aHoldStepParksTheNodeUntilUnholdThenTheRestRuns() {
        String uuid = createNode("manageable");
        JsonArray steps = new JsonArray()
                .add(step("deploy", "erase_devices_metadata"))
                .add(step("deploy", "hold"))
                .add(step("power", "power_off"));
        assertEquals(202, clean(uuid, steps).status());
        waitForState(uuid, "clean hold");
        JsonObject current = new JsonObject((String) row(uuid).get("clean_step"));
        assertEquals("hold", current.getString("step"));
        assertEquals(1, new JsonObject((String) row(uuid).get("dii")).getInteger("clean_step_index"));
        // unhold is API 1.85, above the advertised 1.78: the conductor's own entry point, as the API would call it
        await(provision(uuid, io.anvil.fsm.ApiVerb.UNHOLD));
        waitForState(uuid, "manageable");
        assertEquals("power off", row(uuid).get("power_state"), "the step after the hold ran");
    }

    @Test
    void abortInCleanHoldFailsTheNodeAndForgetsTheSteps() {
        String uuid = createNode("manageable");
        assertEquals(
                202, clean(uuid, new JsonArray().add(step("deploy", "hold"))).status());
        waitForState(uuid, "clean hold");
        assertEquals(202, putProvision(uuid, "abort").status());
        waitForState(uuid, "clean failed");
        waitUntil("steps forgotten", () -> row(uuid).get("clean_step") == null);
        Map<String, Object> r = row(uuid);
        assertTrue(String.valueOf(r.get("last_error")).contains("aborted"), r::toString);
        assertEquals("manageable", r.get("target_provision_state"));
    }

    @Test
    void aWaitStepPausesThenContinues() {
        String uuid = createNode("manageable");
        JsonArray steps = new JsonArray()
                .add(step("deploy", "wait").put("args", new JsonObject().put("seconds", 1)))
                .add(step("power", "power_off"));
        assertEquals(202, clean(uuid, steps).status());
        waitForState(uuid, "manageable");
        assertEquals("power off", row(uuid).get("power_state"));
    }

    @Test
    void userDeployStepsAreCheckedBeforeTheNodeMoves() {
        String uuid = createNode("available");
        JsonObject body = new JsonObject()
                .put("target", "active")
                .put(
                        "deploy_steps",
                        new JsonArray()
                                .add(step("deploy", "deploy")
                                        .put("priority", 50)
                                        .put("args", new JsonObject())));
        Resp r = putProvision(uuid, body);
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.toString().contains("is a core step and cannot be overridden"), r::toString);
        assertEquals("available", row(uuid).get("provision_state"));
    }

    @Test
    void aDeployRunsItsStepsAndRecordsNothingOnceActive() {
        String uuid = createNode("available");
        assertEquals(202, putProvision(uuid, "active").status());
        waitForState(uuid, "active");
        Map<String, Object> r = row(uuid);
        assertNull(r.get("deploy_step"));
        JsonObject dii = new JsonObject((String) r.get("dii"));
        assertNull(dii.getValue("deploy_steps"), dii::encode);
    }

    @Test
    void aFailingCleaningPreparationFailsTheNodeWithoutMaintenance() {
        String uuid = createNode("manageable", new JsonObject().put("fake_clean_fail", "disk controller on fire"));
        assertEquals(202, putProvision(uuid, "provide").status());
        waitForState(uuid, "clean failed");
        Map<String, Object> r = row(uuid);
        assertTrue(String.valueOf(r.get("last_error")).contains("disk controller on fire"), r::toString);
        assertEquals(false, r.get("maintenance"));
        assertEquals("available", r.get("target_provision_state"));
    }

    @Test
    void aNodeWithAutomatedCleanOffSkipsCleaning() {
        String uuid = createNode("manageable");
        sql("UPDATE nodes SET automated_clean = false WHERE uuid = ?", uuid);
        assertEquals(202, putProvision(uuid, "provide").status());
        waitForState(uuid, "available");
        assertNull(row(uuid).get("last_error"));
    }

    @Test
    void deploysBeyondTheLimitGet503AndChangeNothing() {
        // two nodes rest in "wait call-back" (fake_deploy_wait), so the third deploy is one too many
        JsonObject wait = new JsonObject().put("fake_deploy_wait", true);
        String a = createNode("available", wait);
        String b = createNode("available", wait);
        assertEquals(202, putProvision(a, "active").status());
        assertEquals(202, putProvision(b, "active").status());
        waitForState(a, "wait call-back");
        waitForState(b, "wait call-back");
        String c = createNode("available");
        Resp r = putProvision(c, "active");
        assertEquals(503, r.status(), r::toString);
        assertTrue(r.toString().contains("maximum number of concurrent provisioning"), r::toString);
        assertEquals("available", row(c).get("provision_state"));
        // the limit counts states, not requests: once one finishes, a new deploy goes through
        await(provisioning().continueDeploy(a));
        waitForState(a, "active");
        assertEquals(202, putProvision(c, "active").status());
        waitForState(c, "active");
        await(provisioning().continueDeploy(b));
        waitForState(b, "active");
    }
}
