package io.anvil.conductor;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.fake.FakeDeploy;
import io.anvil.driver.fake.FakeRescue;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.anvil.periodic.PeriodicHarness;
import io.anvil.periodic.SimPower;
import io.anvil.periodic.WalkResult;
import io.anvil.upkeep.WaitTimeouts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** *WAIT timeouts (docs/architecture.md#ironic-scenarios scenarios 15 and 16) with a 300 ms callback timeout. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WaitTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private PeriodicHarness h;
    private WaitTimeouts timeouts;
    private final Set<String> deployCleanUps = ConcurrentHashMap.newKeySet();
    private final Set<String> cleaningTearDowns = ConcurrentHashMap.newKeySet();
    private final Set<String> rescueCleanUps = ConcurrentHashMap.newKeySet();
    private SimPower sim;

    /** The fake deploy, recording its clean-up calls. */
    final class RecordingDeploy implements io.anvil.driver.DeployInterface {
        private final FakeDeploy fake = new FakeDeploy();

        @Override
        public Future<StepOutcome> deploy(DriverTask task) {
            return fake.deploy(task);
        }

        @Override
        public Future<Void> tearDown(DriverTask task) {
            return fake.tearDown(task);
        }

        @Override
        public Future<Void> takeOver(DriverTask task) {
            return fake.takeOver(task);
        }

        @Override
        public Future<Void> cleanUp(DriverTask task) {
            deployCleanUps.add(task.uuid());
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> tearDownCleaning(DriverTask task) {
            cleaningTearDowns.add(task.uuid());
            return Future.succeededFuture();
        }
    }

    final class RecordingRescue implements io.anvil.driver.RescueInterface {
        private final FakeRescue fake = new FakeRescue();

        @Override
        public Future<StepOutcome> rescue(DriverTask task) {
            return fake.rescue(task);
        }

        @Override
        public Future<Void> unrescue(DriverTask task) {
            return fake.unrescue(task);
        }

        @Override
        public Future<Void> cleanUp(DriverTask task) {
            rescueCleanUps.add(task.uuid());
            return Future.succeededFuture();
        }
    }

    @BeforeAll
    void start() {
        h = PeriodicHarness.start();
        sim = new SimPower(h.vertx);
        h.drivers
                .registerPower("fake", sim)
                .registerDeploy("fake", new RecordingDeploy())
                .registerRescue("fake", new RecordingRescue());
        timeouts = new WaitTimeouts(h.power, new WaitTimeouts.Settings(TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT, 8));
    }

    @AfterAll
    void stop() {
        h.close();
    }

    @BeforeEach
    void clean() {
        h.sql("DELETE FROM nodes");
    }

    /** A node that entered {@code state} {@code agoMs} ago (by the database clock). */
    private String waiting(String state, String target, long agoMs, Map<String, Object> cols) {
        Map<String, Object> c = new java.util.HashMap<>(Map.of(
                "provision_state",
                state,
                "target_provision_state",
                target,
                "power_state",
                "power on",
                "driver_internal_info",
                new JsonObject().put("agent_url", "http://10.0.0.9:9999").put("agent_secret_token", "s3cr3t")));
        c.putAll(cols);
        String uuid = h.node(c);
        h.sql(
                "UPDATE nodes SET provision_updated_at = now() - ($2::bigint * interval '1 millisecond') "
                        + "WHERE uuid = $1::uuid",
                uuid,
                agoMs);
        return uuid;
    }

    private String state(String uuid) {
        return h.row(uuid).getString("provision_state");
    }

    @Test
    void aSilentDeployWaitFailsWithIronicsMessageAndIsCleanedUp() {
        String uuid = waiting(
                "wait call-back",
                "active",
                1000,
                Map.of(
                        "deploy_step",
                        new JsonObject().put("step", "write_image").put("interface", "deploy")));
        WalkResult r = await(timeouts.checkDeployTimeouts(h.iterator()));
        assertEquals(1, r.visited());
        JsonObject row = h.row(uuid);
        assertEquals("deploy failed", row.getString("provision_state"));
        assertEquals("active", row.getString("target_provision_state"));
        assertEquals("Timeout reached while waiting for callback for node " + uuid, row.getString("last_error"));
        assertTrue(
                h.events(uuid).contains("baremetal.node.provision_set.error"),
                h.events(uuid).toString());
        h.eventually(
                "deploy clean-up ran and the lock was released",
                () -> deployCleanUps.contains(uuid)
                        && h.row(uuid).getString("reservation") == null
                        && new JsonObject(h.row(uuid).getValue("deploy_step").toString()).isEmpty());
        JsonObject internal =
                new JsonObject(h.row(uuid).getValue("driver_internal_info").toString());
        assertFalse(internal.containsKey("agent_url"), internal.encode());
        assertFalse(internal.containsKey("agent_secret_token"), internal.encode());
    }

    @Test
    void aHeartbeatingDeployWaitNeverTimesOutAndTimesOutOnceSilent() {
        // a 10 s timeout here, so that a stall of a loaded machine between a heartbeat and the check is no silence
        Duration timeout = Duration.ofSeconds(10);
        WaitTimeouts patient =
                new WaitTimeouts(h.power, new WaitTimeouts.Settings(timeout, timeout, timeout, timeout, timeout, 8));
        String uuid = waiting("wait call-back", "active", 0, Map.of());
        // heartbeats every 100 ms; a check runs after each
        for (int i = 0; i < 10; i++) {
            h.sql("UPDATE nodes SET provision_updated_at = now() WHERE uuid = $1::uuid", uuid);
            h.delay(100);
            await(patient.checkDeployTimeouts(h.iterator()));
            assertEquals("wait call-back", state(uuid), "timed out although it heartbeats");
        }
        // then silent for longer than the timeout (the last heartbeat dated back, on the database's clock)
        h.sql("UPDATE nodes SET provision_updated_at = now() - interval '11 seconds' WHERE uuid = $1::uuid", uuid);
        await(patient.checkDeployTimeouts(h.iterator()));
        assertEquals("deploy failed", state(uuid));
    }

    @Test
    void aHundredTimedOutNodesAllFailInOneRun() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            nodes.add(waiting("wait call-back", "active", 1000, Map.of()));
        }
        WalkResult r = await(timeouts.checkDeployTimeouts(h.iterator()));
        assertEquals(100, r.listed());
        assertEquals(100, r.visited(), "not 8 per run: " + r);
        assertFalse(r.stoppedEarly());
        for (String uuid : nodes) {
            assertEquals("deploy failed", state(uuid));
        }
        h.eventually("every clean-up ran", () -> nodes.stream().allMatch(deployCleanUps::contains));
    }

    @Test
    void maintenanceReservedAndLockedNodesAreSkipped() {
        String maintenance = waiting("wait call-back", "active", 1000, Map.of("maintenance", true));
        String reserved = waiting("wait call-back", "active", 1000, Map.of("reservation", "another-conductor"));
        String locked = waiting("wait call-back", "active", 1000, Map.of());
        String due = waiting("wait call-back", "active", 1000, Map.of());
        LockLease reader =
                await(h.locks.acquire(locked, LockRequest.shared("console").tryOnce()));
        try {
            WalkResult r = await(timeouts.checkDeployTimeouts(h.iterator()));
            assertEquals(1, r.locked());
            assertEquals(1, r.visited());
            assertEquals("deploy failed", state(due));
            for (String uuid : List.of(maintenance, reserved, locked)) {
                assertEquals("wait call-back", state(uuid));
                assertEquals(List.of(), h.events(uuid));
            }
        } finally {
            await(reader.release());
        }
        await(timeouts.checkDeployTimeouts(h.iterator()));
        assertEquals("deploy failed", state(locked), "the next run gets the node once unlocked");
    }

    @Test
    void cleanWaitKeepsTheTargetAndSetsMaintenanceOnlyIfAStepWasRunning() {
        String manual = waiting(
                "clean wait",
                "manageable",
                1000,
                Map.of(
                        "clean_step",
                        new JsonObject().put("step", "erase_devices").put("interface", "deploy")));
        String automated = waiting("clean wait", "available", 1000, Map.of());
        WalkResult r = await(timeouts.checkCleanwaitTimeouts(h.iterator()));
        assertEquals(2, r.visited());
        h.eventually(
                "both clean-ups ran",
                () -> cleaningTearDowns.containsAll(List.of(manual, automated))
                        && h.row(manual).getString("reservation") == null
                        && h.row(automated).getString("reservation") == null);
        JsonObject m = h.row(manual);
        assertEquals("clean failed", m.getString("provision_state"));
        assertEquals("manageable", m.getString("target_provision_state"), "manual cleaning keeps its target");
        assertTrue(m.getBoolean("maintenance"));
        assertEquals("clean failure", m.getString("fault"));
        assertTrue(
                m.getString("last_error")
                        .startsWith("Timeout reached while cleaning the node. Please check if the "
                                + "ramdisk responsible for the cleaning is running on the node. Failed on step "),
                m.getString("last_error"));
        assertTrue(m.getString("last_error").contains("erase_devices"));
        JsonObject a = h.row(automated);
        assertEquals("clean failed", a.getString("provision_state"));
        assertEquals("available", a.getString("target_provision_state"));
        assertFalse(a.getBoolean("maintenance"), "no clean step was running");
        assertNull(a.getString("fault"));
    }

    @Test
    void rescueWaitFailsAndPowersTheNodeOff() {
        String uuid = waiting("rescue wait", "rescue", 1000, Map.of());
        sim.hardware.put(uuid, "power on");
        await(timeouts.checkRescuewaitTimeouts(h.iterator()));
        assertEquals("rescue failed", state(uuid));
        h.eventually(
                "power off and rescue clean-up",
                () -> rescueCleanUps.contains(uuid) && h.row(uuid).getString("reservation") == null);
        JsonObject row = h.row(uuid);
        assertEquals("power off", row.getString("power_state"));
        assertEquals("power off", sim.hardware.get(uuid));
        assertEquals("Timeout reached while waiting for rescue ramdisk callback for node", row.getString("last_error"));
        assertTrue(
                h.events(uuid).contains("baremetal.node.power_set.end"),
                h.events(uuid).toString());
    }

    @Test
    void inspectWaitCountsFromInspectionStart() {
        String startedLongAgo = waiting("inspect wait", "manageable", 0, Map.of());
        String updatedLongAgo = waiting("inspect wait", "manageable", 5000, Map.of());
        h.sql(
                "UPDATE nodes SET inspection_started_at = now() - interval '5 seconds' WHERE uuid = $1::uuid",
                startedLongAgo);
        h.sql("UPDATE nodes SET inspection_started_at = now() WHERE uuid = $1::uuid", updatedLongAgo);
        await(timeouts.checkInspectWaitTimeouts(h.iterator()));
        assertEquals("inspect failed", state(startedLongAgo));
        // the clean-up worker (Ironic's cleanup_inspectwait_timeout) replaces the fail's message by its own
        h.eventually("released", () -> h.row(startedLongAgo).getString("reservation") == null);
        assertEquals(
                "Timeout reached while inspecting the node. Please check if the ramdisk responsible for the "
                        + "inspection is running on the node.",
                h.row(startedLongAgo).getString("last_error"));
        assertEquals("inspect wait", state(updatedLongAgo), "a recent inspection start wins over an old update");
    }

    @Test
    void serviceWaitFails() {
        String uuid = waiting("service wait", "active", 1000, Map.of());
        await(timeouts.checkServicewaitTimeouts(h.iterator()));
        assertEquals("service failed", state(uuid));
        h.eventually("released", () -> h.row(uuid).getString("reservation") == null);
        assertTrue(h.row(uuid).getString("last_error").startsWith("Timeout reached while servicing the node."));
        assertFalse(h.row(uuid).getBoolean("maintenance"));
    }

    @Test
    void aFullWorkerPoolWritesNothingAndTheNextRunRetries() {
        String uuid = waiting("wait call-back", "active", 1000, Map.of());
        List<WorkerPool.Slot> taken = new ArrayList<>();
        Optional<WorkerPool.Slot> s;
        while ((s = h.workers.tryAcquire(false)).isPresent()) {
            taken.add(s.get());
        }
        try {
            WalkResult r = await(timeouts.checkDeployTimeouts(h.iterator()));
            assertTrue(r.stoppedEarly() || r.visited() == 0, r.toString());
            assertEquals("wait call-back", state(uuid));
            assertNull(h.row(uuid).getString("last_error"));
            assertEquals(List.of(), h.events(uuid), "nothing written when no worker is free");
        } finally {
            taken.forEach(WorkerPool.Slot::release);
        }
        await(timeouts.checkDeployTimeouts(h.iterator()));
        assertEquals("deploy failed", state(uuid));
    }

    @Test
    void aZeroTimeoutDisablesTheCheck() {
        WaitTimeouts off = new WaitTimeouts(
                h.power, new WaitTimeouts.Settings(Duration.ZERO, TIMEOUT, TIMEOUT, TIMEOUT, TIMEOUT, 8));
        String uuid = waiting("wait call-back", "active", 1000, Map.of());
        await(off.checkDeployTimeouts(h.iterator()));
        assertEquals("wait call-back", state(uuid));
    }
}
