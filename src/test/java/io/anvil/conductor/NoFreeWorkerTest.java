package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/architecture.md#ironic-scenarios scenarios 5–8 (NoFreeConductorWorker), under invariant 3 of
 * docs/architecture.md#invariants: with no free worker the caller gets 503 and nothing was written — no state change to
 * roll back, no last_error, no reservation left, no notification. Ironic instead saves the new state, rolls it back in
 * the spawn error hook and records last_error "No free conductor workers available"; Anvil never writes, so there is
 * nothing to roll back.
 *
 * <p>The pool is 20 slots with 5 % reserved: 19 normal and 1 reserved for API requests.
 */
class NoFreeWorkerTest extends ConductorTestBase {
    private static final String NO_WORKERS =
            "Requested action cannot be performed due to lack of free conductor workers.";
    private final List<WorkerPool.Slot> held = new ArrayList<>();

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("conductor.workers_pool_size", 20, "conductor.reserved_workers_pool_percentage", 5);
    }

    @AfterEach
    void freeWorkers() {
        releaseAll(held);
        held.clear();
        assertEquals(0, tasks().workers().busy(), "a worker slot leaked");
    }

    private void fillPool(boolean reservedToo) {
        held.addAll(occupyWorkers(reservedToo));
        assertEquals(reservedToo ? 20 : 19, tasks().workers().busy());
    }

    /** Everything but the lock bookkeeping (lock_fence moves with every exclusive claim). */
    private Map<String, Object> snapshot(String uuid) {
        Map<String, Object> row = new HashMap<>(node(uuid));
        row.remove("lock_fence");
        return row;
    }

    private void assertNothingWritten(String uuid, Map<String, Object> before, long eventsBefore) {
        assertEquals(before, snapshot(uuid), "the node row changed");
        assertNull(node(uuid).get("reservation"), "reservation left behind");
        assertTrue(lockFree(uuid), "lock left behind: " + lockInfo(uuid));
        assertEquals(eventsBefore, events(uuid).size(), () -> "an event was written: " + events(uuid));
    }

    private void assert503(Resp r) {
        assertEquals(503, r.status(), r::toString);
        assertEquals(NO_WORKERS, r.fault().getString("faultstring"));
    }

    /** Scenario 5, for every verb that spawns a worker (abort included, see the class comment on abort below). */
    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
        "deploy, available, ",
        "active, available, ",
        "provide, manageable, ",
        "manage, enroll, ",
        "manage, available, ",
        "undeploy, active, ",
        "deleted, active, ",
        "inspect, manageable, ",
        "adopt, manageable, ",
        "clean, manageable, ",
        "abort, clean wait, available",
        "abort, inspect wait, manageable",
    })
    void provisionWithAFullPoolAnswers503AndWritesNothing(String target, String state, String targetState) {
        String uuid = createNode(state);
        if (targetState != null) {
            sql("UPDATE nodes SET target_provision_state = ? WHERE uuid = ?", targetState, uuid);
        }
        JsonObject body = new JsonObject().put("target", target);
        if (target.equals("clean")) {
            body.put(
                    "clean_steps",
                    new JsonArray()
                            .add(new JsonObject().put("interface", "deploy").put("step", "erase_devices_metadata")));
        }
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();

        fillPool(true);
        assert503(putProvision(uuid, body));
        assertNothingWritten(uuid, before, eventsBefore);
        assertEquals(List.of(), eventTypes(uuid, "baremetal.node.provision_set."));
        assertEquals(20, tasks().workers().busy(), "the refused request must not keep or free a slot");

        // the same request goes through once a slot is free: the 503 was the pool's, not the request's
        releaseAll(held);
        held.clear();
        Resp ok = putProvision(uuid, body);
        assertEquals(202, ok.status(), ok::toString);
        waitUntil("worker finished", () -> tasks().workers().busy() == 0 && lockFree(uuid));
        assertTrue(!eventTypes(uuid, "baremetal.node.provision_set.").isEmpty());
    }

    /**
     * Abort is synchronous in Anvil (its worker does nothing yet), but it still asks for a slot like every spawning
     * verb, as Ironic's abort does (its worker runs the clean-up). Decision: an API abort may use the reserved share,
     * so with the normal share exhausted it still succeeds; only when the whole pool is busy does it get 503, and
     * then nothing is written (tested above).
     */
    @Test
    void abortUsesTheReservedShareWhenTheNormalShareIsFull() {
        String uuid = createNode("clean wait");
        sql("UPDATE nodes SET target_provision_state = 'available' WHERE uuid = ?", uuid);
        fillPool(false);
        Resp r = putProvision(uuid, "abort");
        assertEquals(202, r.status(), r::toString);
        waitForState(uuid, "clean failed");
        assertEquals("available", node(uuid).get("target_provision_state"), "abort of cleaning keeps the target");
        assertEquals(List.of("baremetal.node.provision_set.end"), eventTypes(uuid, "baremetal.node.provision_set."));
    }

    /** Scenario 6: Ironic restores power_state, clears the target and sets last_error; Anvil writes nothing. */
    @Test
    void powerWithAFullPoolAnswers503AndWritesNothing() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET power_state = 'power off', last_error = 'earlier' WHERE uuid = ?", uuid);
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();
        fillPool(true);
        for (String target : List.of("power on", "rebooting", "power off")) {
            assert503(putPower(uuid, target));
            assertNothingWritten(uuid, before, eventsBefore);
        }
        assertEquals(List.of(), eventTypes(uuid, "baremetal.node.power_set."));
        Map<String, Object> row = node(uuid);
        assertEquals("power off", row.get("power_state"));
        assertNull(row.get("target_power_state"));
        assertEquals("earlier", row.get("last_error"));
    }

    /**
     * Scenario 7: continue_node_deploy with a full pool. Ironic has already saved DEPLOYING (resume) and is stuck there
     * until a conductor restart fails it. Anvil leaves the node in "wait call-back" with nothing written, so the next
     * heartbeat (or the callback timeout) recovers it. The continuation never uses the reserved share, so a full
     * normal share is enough to refuse it.
     */
    @Test
    void continueDeployWithAFullNormalPoolLeavesTheNodeInWaitCallBack() {
        String uuid = createNode("available", new JsonObject().put("fake_deploy_wait", true));
        assertEquals(202, putProvision(uuid, "active").status());
        waitForState(uuid, "wait call-back");
        waitUntil("deploy worker done", () -> tasks().workers().busy() == 0);
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();

        fillPool(false);
        assertEquals(1, tasks().workers().reservedSize() - (tasks().workers().busy() - 19));
        Throwable e = failure(provisioning().continueDeploy(uuid));
        assertTrue(e instanceof ConductorErrors.NoFreeConductorWorker, e::toString);
        assertNothingWritten(uuid, before, eventsBefore);
        assertEquals("wait call-back", node(uuid).get("provision_state"));
        assertEquals("active", node(uuid).get("target_provision_state"));
        assertEquals(19, tasks().workers().busy(), "the reserved slot was not used");

        // the next attempt (the agent's next heartbeat) completes the deploy once a worker is free
        releaseAll(held);
        held.clear();
        await(provisioning().continueDeploy(uuid));
        waitForState(uuid, "active");
    }

    /**
     * Scenario 8: the normal share is exhausted (say by heartbeats and periodic work). An API power request still runs
     * on the reserved share; work marked withoutReservedWorkers (heartbeat continuation) gets NoFreeConductorWorker.
     */
    @Test
    void reservedShareServesTheApiButNotHeartbeats() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET power_state = 'power off' WHERE uuid = ?", uuid);
        fillPool(false);

        Resp r = putPower(uuid, "power on");
        assertEquals(202, r.status(), r::toString);
        waitUntil(
                "powered on",
                () -> "power on".equals(node(uuid).get("power_state"))
                        && node(uuid).get("target_power_state") == null
                        && lockFree(uuid));
        waitUntil("reserved slot returned", () -> tasks().workers().busy() == 19);

        // a heartbeat-style task: patient, never the reserved share
        Future<Void> heartbeat = tasks().withTask(
                        uuid, TaskOptions.exclusive("heartbeat").patient().withoutReservedWorkers(), task -> {
                            task.spawnAfter(
                                    "heartbeat", null, t -> t.save(Map.of("extra", new JsonObject().put("hb", 1)))
                                            .mapEmpty());
                            return Future.succeededFuture();
                        });
        assertTrue(failure(heartbeat) instanceof ConductorErrors.NoFreeConductorWorker);
        assertTrue(lockFree(uuid));
        assertNull(node(uuid).get("reservation"));
        assertEquals(19, tasks().workers().busy());

        // and the same conductor call with the reserved share allowed succeeds
        await(tasks().withTask(uuid, TaskOptions.exclusive("api call"), task -> {
            task.spawnAfter("api call", null, t -> Future.succeededFuture());
            return Future.succeededFuture();
        }));
        waitUntil("api worker done", () -> tasks().workers().busy() == 19 && lockFree(uuid));

        // with the reserved slot taken too, the API gets 503 as well
        fillPool(true);
        assert503(putPower(uuid, "power off"));
        assertEquals("power on", node(uuid).get("power_state"));
    }

    /** The direct conductor call reports NoFreeConductorWorker and runs the spawn error hook once, writing nothing. */
    @Test
    void spawnErrorHookRunsOnceAndNothingIsWritten() {
        String uuid = createNode("available");
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();
        fillPool(true);
        List<Throwable> hooks = new ArrayList<>();
        Future<Void> f = tasks().withTask(uuid, TaskOptions.exclusive("deploy"), task -> {
            task.setSpawnErrorHook(hooks::add);
            task.processEvent(
                    io.anvil.fsm.ProvisionEvent.DEPLOY,
                    java.util.Optional.empty(),
                    "",
                    "do_node_deploy",
                    t -> Future.failedFuture(new AssertionError("must not run")));
            return Future.succeededFuture();
        });
        Throwable e = failure(f);
        assertTrue(e instanceof ConductorErrors.NoFreeConductorWorker, e::toString);
        assertEquals(1, hooks.size());
        assertTrue(hooks.get(0) instanceof ConductorErrors.NoFreeConductorWorker);
        assertNothingWritten(uuid, before, eventsBefore);
    }

    /** Bad input is refused as bad input (400), before the pool is even asked. */
    @Test
    void invalidRequestsAre400EvenWithAFullPool() {
        String uuid = createNode("available");
        fillPool(true);
        Resp r = http(
                io.vertx.core.http.HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/power",
                new JsonObject().put("target", "sideways"));
        assertEquals(400, r.status(), r::toString);
        assertEquals(20, tasks().workers().busy());
    }
}
