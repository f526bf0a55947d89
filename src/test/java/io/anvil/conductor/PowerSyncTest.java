package io.anvil.conductor;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.anvil.periodic.NodeRef;
import io.anvil.periodic.PeriodicHarness;
import io.anvil.periodic.SimPower;
import io.anvil.periodic.WalkResult;
import io.anvil.upkeep.NodeIterator;
import io.anvil.upkeep.PowerSync;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Power-state sync and power-failure recovery (docs/architecture.md#ironic-scenarios scenarios 3, 24, 25) with
 * simulated hardware.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PowerSyncTest {
    private static final Duration INTERVAL = Duration.ofMillis(40);
    private PeriodicHarness h;
    private SimPower sim;
    private final Promise<Void> neverStops = Promise.promise();

    @BeforeAll
    void start() {
        h = PeriodicHarness.start();
        sim = new SimPower(h.vertx);
        h.drivers.registerPower("fake", sim);
    }

    @AfterAll
    void stop() {
        h.close();
    }

    @BeforeEach
    void clean() {
        h.sql("DELETE FROM nodes");
        sim.hardware.clear();
        sim.stuck.clear();
        sim.readDelay(Duration.ZERO);
        sim.beforeAnswer = uuid -> Future.succeededFuture();
    }

    private PowerSync sync(boolean force) {
        return sync(force, 8);
    }

    private PowerSync sync(boolean force, int workers) {
        return new PowerSync(h.vertx, h.power, new PowerSync.Settings(INTERVAL, workers, 3, force));
    }

    private WalkResult cycle(PowerSync s) {
        return await(s.syncPowerStates(h.iterator(), neverStops.future()));
    }

    /** DB says on, the hardware is off. */
    private String mismatched(Map<String, Object> cols) {
        Map<String, Object> c = new java.util.HashMap<>(Map.of("provision_state", "active", "power_state", "power on"));
        c.putAll(cols);
        String uuid = h.node(c);
        sim.hardware.put(uuid, "power off");
        return uuid;
    }

    /**
     * A run of an hour's interval that planned one node, and a second node this conductor does not own yet (it
     * gains it when {@code gained} is added to {@code owned} and the sync is told).
     */
    private record MidRun(
            PowerSync sync, String gained, java.util.Set<String> owned, Promise<Void> stop, Future<WalkResult> run) {
        static MidRun start(PeriodicHarness h, SimPower sim) {
            TwoNodes t = TwoNodes.create(h, sim, Duration.ofHours(1));
            Promise<Void> stop = Promise.promise();
            Future<WalkResult> run = t.sync().syncPowerStates(t.walker(h), stop.future());
            io.anvil.testsupport.Conditions.await(
                    h.vertx,
                    "the run planned",
                    Duration.ofSeconds(10),
                    Duration.ofMillis(10),
                    () -> t.sync().lastPlan().size() == 1);
            return new MidRun(t.sync(), t.gained(), t.owned(), stop, run);
        }
    }

    /** A sync of {@code interval}, a node this conductor owns and one it does not own yet (added to {@code owned}). */
    private record TwoNodes(PowerSync sync, String planned, String gained, java.util.Set<String> owned) {
        static TwoNodes create(PeriodicHarness h, SimPower sim, Duration interval) {
            PowerSync s = new PowerSync(h.vertx, h.power, new PowerSync.Settings(interval, 8, 3, true));
            String planned = h.node(Map.of("provision_state", "manageable"));
            String gained = h.node(Map.of("provision_state", "manageable"));
            sim.hardware.put(planned, "power off");
            sim.hardware.put(gained, "power off");
            java.util.Set<String> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
            owned.add(planned);
            return new TwoNodes(s, planned, gained, owned);
        }

        NodeIterator walker(PeriodicHarness h) {
            return h.iterator((uuid, driver, group) -> owned.contains(uuid), () -> false);
        }
    }

    /**
     * A node this conductor comes to own during a run (a peer died: the ring changed) is checked at once when told,
     * not at its offset in the next run; the run's own plan keeps its offsets.
     */
    @Test
    void aNodeGainedMidRunIsCheckedAtOnce() {
        MidRun m = MidRun.start(h, sim);
        gainAndAwaitItsCheck(m.sync(), m.owned(), m.gained());
        m.stop().complete();
        WalkResult r = await(m.run());
        assertEquals(2, r.listed(), r.toString());
        assertTrue(r.visited() >= 1, r.toString());
    }

    /**
     * A ring change between two runs (the last one ended, the next not started yet) still checks the gained node at
     * once, not at its offset in the next run.
     */
    @Test
    void aNodeGainedBetweenRunsIsCheckedAtOnce() {
        TwoNodes t = TwoNodes.create(h, sim, Duration.ofMillis(200));
        WalkResult first = await(
                t.sync().syncPowerStates(t.walker(h), Promise.<Void>promise().future()));
        assertEquals(1, first.listed(), first.toString());
        gainAndAwaitItsCheck(t.sync(), t.owned(), t.gained());
        assertEquals(1, sim.readsOf(t.planned()), "the planned node is not read again before the next run");
    }

    /** The ring gives this conductor {@code gained}: it is read once, without waiting for its offset. */
    private void gainAndAwaitItsCheck(PowerSync sync, java.util.Set<String> owned, String gained) {
        owned.add(gained);
        sync.ownershipChanged();
        io.anvil.testsupport.Conditions.await(
                h.vertx,
                "the gained node read",
                Duration.ofSeconds(10),
                Duration.ofMillis(10),
                () -> sim.readsOf(gained) == 1);
    }

    /**
     * A gained node whose check must act but finds the node locked (the dead peer's lease has not run out, so the
     * exclusive lock is refused) is tried again until the lock is gone, in the same run, and acted on then.
     */
    @Test
    void aGainedNodeFoundLockedIsTriedAgainOnceFree() {
        MidRun m = MidRun.start(h, sim);
        String gained = m.gained();
        sim.hardware.put(gained, "power on"); // the record says off: the check must take the lock to act
        LockLease deadPeers = await(h.locks.acquire(gained, LockRequest.exclusive("the dead peer's edit")));
        long busy0 = m.sync().busyChecks();
        m.owned().add(gained);
        m.sync().ownershipChanged();
        io.anvil.testsupport.Conditions.eventually(
                h.vertx,
                "the locked node skipped once",
                Duration.ofMillis(10),
                () -> m.sync().busyChecks() > busy0);
        assertEquals(0, sim.setsOf(gained), "no action while locked");
        await(deadPeers.release());
        io.anvil.testsupport.Conditions.eventually(
                h.vertx, "the gained node powered to its record", Duration.ofMillis(10), () -> sim.setsOf(gained) == 1);
        assertEquals("power off", sim.hardware.get(gained));
        m.stop().complete();
        assertEquals(2, await(m.run()).listed());
    }

    /**
     * A check holds no lock while it reads the BMC (Ironic's shared task takes none): a writer that tries once is
     * granted the node meanwhile, where a shared lock would have refused it.
     */
    @Test
    void aCheckHoldsNoLockWhileItReads() {
        PowerSync s = sync(true);
        String uuid = h.node(Map.of("provision_state", "active", "power_state", "power on"));
        sim.hardware.put(uuid, "power on");
        java.util.concurrent.atomic.AtomicReference<String> writer =
                new java.util.concurrent.atomic.AtomicReference<>();
        sim.beforeAnswer = u -> h.locks
                .acquire(u, LockRequest.exclusive("an API write").tryOnce())
                .compose(lease -> lease.release().map("granted"))
                .recover(e -> Future.succeededFuture(e.getMessage()))
                .map(outcome -> {
                    writer.set(outcome);
                    return (Void) null;
                });
        WalkResult r = cycle(s);
        assertEquals("granted", writer.get(), "the writer during the read");
        assertEquals(1, r.visited(), r.toString());
        assertEquals(0, r.locked(), r.toString());
        assertEquals(1, sim.readsOf(uuid));
        assertEquals(0, s.failureCount(uuid));
    }

    @Test
    void forcedSyncPowersTheNodeToTheRecordedState() {
        PowerSync s = sync(true);
        String uuid = mismatched(Map.of());
        WalkResult r = cycle(s);
        assertEquals(1, r.visited());
        assertEquals(1, sim.setsOf(uuid), "one power-on");
        assertEquals("power on", sim.hardware.get(uuid));
        JsonObject row = h.row(uuid);
        assertEquals("power on", row.getString("power_state"));
        assertNull(row.getString("target_power_state"));
        assertFalse(row.getBoolean("maintenance"));
        assertEquals(List.of("baremetal.node.power_set.start", "baremetal.node.power_set.end"), h.events(uuid));
        assertNull(row.getString("reservation"), "the lock was released");
        cycle(s);
        assertEquals(0, s.failureCount(uuid), "in sync again: the count is reset");
        assertEquals(1, sim.setsOf(uuid), "no more power actions once in sync");
    }

    @Test
    void unforcedSyncRecordsTheHardwareStateAndSaysSo() {
        PowerSync s = sync(false);
        String uuid = mismatched(Map.of());
        cycle(s);
        assertEquals(0, sim.setsOf(uuid), "the hardware is not touched");
        assertEquals("power off", h.row(uuid).getString("power_state"));
        assertEquals(List.of(PowerSync.CORRECTED_EVENT), h.events(uuid));
        assertEquals(
                "power on",
                h.eventPayloads(uuid, PowerSync.CORRECTED_EVENT).get(0).getString("from_power"));
    }

    @Test
    void hardwareThatWillNotMoveEndsInPowerFailureMaintenanceOnTheFourthCycle() {
        PowerSync s = sync(true);
        String uuid = mismatched(Map.of());
        sim.stuck.add(uuid);
        for (int i = 1; i <= 3; i++) {
            cycle(s);
            assertEquals(i, sim.setsOf(uuid), "a power-on is attempted on cycle " + i);
            assertEquals(i, s.failureCount(uuid));
            assertFalse(h.row(uuid).getBoolean("maintenance"), "no maintenance after cycle " + i);
        }
        cycle(s);
        assertEquals(3, sim.setsOf(uuid), "no power-on on the 4th cycle");
        JsonObject row = h.row(uuid);
        assertTrue(row.getBoolean("maintenance"));
        assertEquals("power failure", row.getString("fault"));
        assertEquals("power off", row.getString("power_state"), "the DB takes the actual state");
        assertTrue(row.getString("maintenance_reason").contains("max retries exceeded"), row.encode());
        List<JsonObject> corrected = h.eventPayloads(uuid, PowerSync.CORRECTED_EVENT);
        assertEquals(1, corrected.size());
        assertEquals("power on", corrected.get(0).getString("from_power"));
        assertEquals("power off", corrected.get(0).getString("power_state"));
    }

    @Test
    void aFailingBmcGoesIntoMaintenanceAndIsRecoveredWhenItAnswersAgain() {
        PowerSync s = sync(true);
        String uuid = h.node(Map.of(
                "provision_state",
                "active",
                "power_state",
                "power on",
                "driver_info",
                new JsonObject().put("fake_power_fail", "BMC unreachable")));
        for (int i = 1; i <= 3; i++) {
            cycle(s);
            assertEquals(i, s.failureCount(uuid));
            assertFalse(h.row(uuid).getBoolean("maintenance"), "no maintenance after failed cycle " + i);
        }
        cycle(s);
        JsonObject row = h.row(uuid);
        assertTrue(row.getBoolean("maintenance"));
        assertEquals("power failure", row.getString("fault"));
        assertEquals("power on", row.getString("power_state"), "the actual state is unknown: the DB keeps its own");
        assertTrue(row.getString("last_error").contains("BMC unreachable"), row.getString("last_error"));
        assertEquals(1, h.eventPayloads(uuid, PowerSync.CORRECTED_EVENT).size());

        // a further sync leaves it alone (maintenance), recovery does nothing while the BMC still fails
        cycle(s);
        assertEquals(4, sim.readsOf(uuid));
        await(s.powerFailureRecovery(h.iterator()));
        assertTrue(h.row(uuid).getBoolean("maintenance"));

        // the BMC answers again, and the hardware is off
        h.sql("UPDATE nodes SET driver_info = '{}' WHERE uuid = $1::uuid", uuid);
        sim.hardware.put(uuid, "power off");
        WalkResult r = await(s.powerFailureRecovery(h.iterator()));
        assertEquals(1, r.visited());
        row = h.row(uuid);
        assertFalse(row.getBoolean("maintenance"));
        assertNull(row.getString("fault"));
        assertNull(row.getString("maintenance_reason"));
        assertEquals("power off", row.getString("power_state"));
        assertEquals(2, h.eventPayloads(uuid, PowerSync.CORRECTED_EVENT).size(), "recovery found a different state");
        assertEquals(0, s.failureCount(uuid));
    }

    @Test
    void manualMaintenanceIsNeverClearedByRecovery() {
        PowerSync s = sync(true);
        String manual = h.node(Map.of("maintenance", true, "maintenance_reason", "operator: replacing DIMMs"));
        String clean = h.node(Map.of("maintenance", true, "fault", "clean failure", "maintenance_reason", "clean"));
        await(s.powerFailureRecovery(h.iterator()));
        for (String uuid : List.of(manual, clean)) {
            JsonObject row = h.row(uuid);
            assertTrue(row.getBoolean("maintenance"), row.encode());
            assertEquals(0, sim.readsOf(uuid), "not even read");
        }
        assertEquals("operator: replacing DIMMs", h.row(manual).getString("maintenance_reason"));
    }

    @Test
    void excludedNodesAreNeverTouched() {
        PowerSync s = sync(true);
        List<String> excluded = new ArrayList<>();
        for (String state : List.of("wait call-back", "clean wait", "enroll", "adopt failed")) {
            excluded.add(mismatched(Map.of("provision_state", state)));
        }
        excluded.add(mismatched(Map.of("maintenance", true)));
        excluded.add(mismatched(Map.of("target_power_state", "power on")));
        excluded.add(mismatched(Map.of("reservation", "another-conductor")));
        String checked = mismatched(Map.of());
        cycle(s);
        for (String uuid : excluded) {
            assertEquals(
                    0,
                    sim.readsOf(uuid),
                    "excluded node was read: " + h.row(uuid).encode());
            assertEquals(0, sim.setsOf(uuid));
            assertEquals("power on", h.row(uuid).getString("power_state"));
            assertEquals(List.of(), h.events(uuid));
        }
        assertEquals(1, sim.setsOf(checked), "the control node was synced");
    }

    @Test
    void nodeLockedOnUpgradeIsASkip() {
        PowerSync s = sync(true);
        String uuid = mismatched(Map.of());
        LockLease reader =
                await(h.locks.acquire(uuid, LockRequest.shared("console reader").tryOnce()));
        try {
            WalkResult r = cycle(s);
            assertEquals(1, r.locked());
            assertEquals(0, r.failed());
            assertEquals(1, sim.readsOf(uuid), "read without the lock, as a holder may be busy");
            assertEquals(1, s.busyChecks(), "the refused upgrade counts as busy");
            assertEquals(0, sim.setsOf(uuid), "no action without the exclusive lock");
            assertEquals("power on", h.row(uuid).getString("power_state"));
            assertEquals(0, s.failureCount(uuid));
        } finally {
            await(reader.release());
        }
    }

    @Test
    void aStateChangeBetweenReadAndUpgradeIsRecheckedUnderTheLock() {
        PowerSync s = sync(true);
        String uuid = mismatched(Map.of());
        sim.beforeAnswer = u -> h.db.reads()
                .preparedQuery("UPDATE nodes SET provision_state = 'wait call-back' " + "WHERE uuid = $1::uuid")
                .execute(io.vertx.sqlclient.Tuple.of(u))
                .mapEmpty();
        cycle(s);
        assertEquals(0, sim.setsOf(uuid), "the node went to DEPLOYWAIT meanwhile: no power action");
        assertEquals("power on", h.row(uuid).getString("power_state"));
        assertEquals(List.of(), h.events(uuid));
    }

    @Test
    void checksAreSpreadAcrossTheIntervalAtStableOffsets() {
        Duration interval = Duration.ofSeconds(120);
        List<NodeRef> nodes = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            String u = UUID.nameUUIDFromBytes(("node-" + i).getBytes(StandardCharsets.UTF_8))
                    .toString();
            nodes.add(new NodeRef(u, "fake-hardware", "", new JsonObject()));
        }
        List<PowerSync.Slot> plan = PowerSync.plan(nodes, interval);
        assertEquals(240, plan.size());
        long window = (long) (interval.toMillis() * 0.9);
        int[] buckets = new int[12];
        for (PowerSync.Slot slot : plan) {
            long offsetMs = slot.offset().toMillis();
            assertTrue(offsetMs >= 0 && offsetMs < window, "offset outside [0, 0.9 T): " + offsetMs);
            assertEquals(slot.offset(), PowerSync.offset(slot.node().uuid(), interval), "offsets are stable");
            buckets[(int) (offsetMs * 12 / window)]++;
        }
        for (int i = 0; i < buckets.length; i++) {
            assertTrue(
                    buckets[i] >= 8 && buckets[i] <= 35,
                    "bucket " + i + " of 12 has " + buckets[i] + " of 240 checks: "
                            + java.util.Arrays.toString(buckets));
        }
        for (int i = 1; i < plan.size(); i++) {
            assertTrue(plan.get(i).offset().compareTo(plan.get(i - 1).offset()) >= 0, "the plan is in offset order");
        }
        // the offset scales with the interval
        String u = nodes.get(7).uuid();
        assertEquals(
                PowerSync.offset(u, interval).toNanos() / 2,
                PowerSync.offset(u, interval.dividedBy(2)).toNanos(),
                1.0);
    }

    @Test
    void aRunChecksEveryOwnedNodeOnceAtItsPlannedOffset() {
        PowerSync s = sync(true);
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            uuids.add(h.node(Map.of("provision_state", "active", "power_state", "power on")));
        }
        WalkResult r = cycle(s);
        assertEquals(10, r.visited());
        List<PowerSync.Slot> plan = s.lastPlan();
        assertEquals(
                java.util.Set.copyOf(uuids),
                plan.stream().map(x -> x.node().uuid()).collect(java.util.stream.Collectors.toSet()));
        for (PowerSync.Slot slot : plan) {
            assertEquals(PowerSync.offset(slot.node().uuid(), INTERVAL), slot.offset());
            assertEquals(1, sim.readsOf(slot.node().uuid()));
        }
    }

    @Test
    void concurrentChecksStayUnderTheGlobalCap() {
        PowerSync s = sync(true, 3);
        sim.readDelay(Duration.ofMillis(60));
        sim.maxInFlight.set(0);
        for (int i = 0; i < 12; i++) {
            h.node(Map.of("provision_state", "active", "power_state", "power on"));
        }
        WalkResult r = cycle(s);
        assertEquals(12, r.visited());
        assertEquals(3, sim.maxInFlight.get(), "power reads in flight at once");
        assertEquals(3, s.limiter().maxObserved());
    }

    /** Checks due beyond the cap wait for a slot, and the limiter says how many (anvil_power_sync_checks_waiting). */
    @Test
    void checksBeyondTheCapWaitAndAreCounted() {
        PowerSync s = sync(true, 3);
        Promise<Void> answer = Promise.promise();
        sim.beforeAnswer = u -> answer.future();
        for (int i = 0; i < 12; i++) {
            h.node(Map.of("provision_state", "active", "power_state", "power off"));
        }
        Future<WalkResult> run = s.syncPowerStates(h.iterator(), neverStops.future());
        io.anvil.testsupport.Conditions.eventually(
                h.vertx,
                "3 checks at the BMC, 9 waiting",
                Duration.ofMillis(10),
                () -> s.limiter().inFlight() == 3 && s.limiter().waiting() == 9);
        answer.complete();
        assertEquals(12, await(run).visited());
        assertEquals(0, s.limiter().waiting());
        assertEquals(0, s.limiter().inFlight());
    }

    @Test
    void stoppingCancelsChecksNotYetStarted() {
        PowerSync s = new PowerSync(h.vertx, h.power, new PowerSync.Settings(Duration.ofSeconds(60), 8, 3, true));
        for (int i = 0; i < 5; i++) {
            h.node(Map.of("provision_state", "active", "power_state", "power on"));
        }
        Promise<Void> stop = Promise.promise();
        Future<WalkResult> run = s.syncPowerStates(h.iterator(), stop.future());
        h.eventually("the run planned its checks", () -> s.lastPlan().size() == 5);
        stop.complete();
        WalkResult r = await(run);
        assertTrue(r.stoppedEarly());
        assertTrue(r.visited() < 5, "checks scheduled up to 54 s ahead were cancelled: " + r);
    }

    @Test
    void aNodeWithNoRecordedStateGetsTheHardwareState() {
        PowerSync s = sync(true);
        String uuid = h.node(Map.of("provision_state", "active"));
        h.sql("UPDATE nodes SET power_state = NULL WHERE uuid = $1::uuid", uuid);
        sim.hardware.put(uuid, "power on");
        cycle(s);
        assertEquals("power on", h.row(uuid).getString("power_state"));
        assertEquals(0, sim.setsOf(uuid));
    }

    @Test
    void theSyncRunsFromTheSchedulerAsAPeriodicTask() {
        NodeIterator unused = h.iterator();
        assertTrue(unused != null);
        io.anvil.periodic.PeriodicScheduler scheduler = new io.anvil.periodic.PeriodicScheduler(
                h.vertx,
                io.anvil.periodic.PeriodicSettings.of(Map.of(
                        "conductor.sync_power_state_interval", 0.05, "conductor.power_failure_recovery_interval", 0)),
                8,
                Duration.ofSeconds(5));
        scheduler.withNodes(
                new NodeIterator(h.db, h.tasks, io.anvil.cluster.NodeOwnership.everything(), scheduler::stopping));
        PowerSync s = sync(true);
        scheduler.register(s).start();
        try {
            String uuid = mismatched(Map.of());
            h.eventually("the periodic synced the node", () -> "power on".equals(sim.hardware.get(uuid)));
            assertEquals(
                    java.util.Set.of("sync_power_states"), scheduler.tasks().keySet());
            assertEquals(List.of("power_failure_recovery"), scheduler.disabled());
        } finally {
            await(scheduler.stop());
        }
    }
}
