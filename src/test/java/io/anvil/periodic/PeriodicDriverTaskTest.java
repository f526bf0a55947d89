package io.anvil.periodic;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.cluster.NodeOwnership;
import io.anvil.config.AnvilConfig;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.anvil.upkeep.ConductorPeriodics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A driver author's periodic task: {@link SimPower} declares one and is registered through the DriverFactory; the
 * conductor's standard wiring ({@link ConductorPeriodics#create}) collects and runs it with no conductor change.
 */
class PeriodicDriverTaskTest {
    private static AnvilConfig config(List<String> types) {
        return AnvilConfig.of(Map.of("conductor.enabled_hardware_types", types));
    }

    @Test
    void aDriversPeriodicRunsOverTheNodesItOwnsWithoutConductorChanges() {
        try (PeriodicHarness h = PeriodicHarness.start()) {
            SimPower sim = new SimPower(h.vertx);
            h.drivers.registerPower("fake", sim);
            List<String> nodes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                nodes.add(h.node(Map.of()));
            }
            Set<String> mine = Set.copyOf(nodes.subList(0, 4));
            String locked = nodes.get(3);
            LockLease held = await(h.locks.acquire(
                    locked, LockRequest.exclusive("firmware update").tryOnce()));
            ConductorPeriodics periodics = ConductorPeriodics.create(
                    h.vertx,
                    config(List.of("fake-hardware", "ipmi")),
                    h.conductor,
                    (uuid, driver, group) -> mine.contains(uuid));
            assertTrue(
                    periodics.scheduler().tasks().containsKey("sim_power_visits"),
                    periodics.scheduler().tasks().keySet().toString());
            assertTrue(periodics
                    .scheduler()
                    .tasks()
                    .keySet()
                    .containsAll(Set.of(
                            "sync_power_states",
                            "power_failure_recovery",
                            "check_deploy_timeouts",
                            "check_cleanwait_timeouts",
                            "check_servicewait_timeouts",
                            "check_inspect_wait_timeouts",
                            "check_rescuewait_timeouts")));
            periodics.start();
            try {
                h.eventually("three visits of each owned, unlocked node", () -> nodes.subList(0, 3).stream()
                        .allMatch(u -> sim.visitsOf(u) >= 3));
                assertEquals(0, sim.visitsOf(locked), "a locked node is skipped");
                assertEquals(0, sim.visitsOf(nodes.get(4)), "not owned");
                assertEquals(0, sim.visitsOf(nodes.get(5)), "not owned");
                assertEquals(0, periodics.scheduler().task("sim_power_visits").failures());
            } finally {
                await(periodics.stop());
                await(held.release());
            }
        }
    }

    @Test
    void interfacesOfDisabledHardwareTypesContributeNoPeriodics() {
        try (PeriodicHarness h = PeriodicHarness.start(List.of("ipmi"), 300)) {
            h.drivers.registerPower("fake", new SimPower(h.vertx));
            ConductorPeriodics periodics = ConductorPeriodics.create(
                    h.vertx, config(List.of("ipmi")), h.conductor, NodeOwnership.everything());
            assertFalse(periodics.scheduler().tasks().containsKey("sim_power_visits"));
            assertTrue(periodics.scheduler().tasks().containsKey("sync_power_states"));
        }
    }

    @Test
    void theSameImplementationUnderTwoNamesRunsOnce() {
        try (PeriodicHarness h = PeriodicHarness.start()) {
            SimPower sim = new SimPower(h.vertx);
            h.drivers.registerPower("fake", sim).registerPower("fake-alias", new SimPower(h.vertx));
            assertEquals(
                    1,
                    h.drivers.enabledImplementations().stream()
                            .filter(o -> o instanceof SimPower)
                            .count());
            ConductorPeriodics periodics = ConductorPeriodics.create(
                    h.vertx, config(List.of("fake-hardware")), h.conductor, NodeOwnership.everything());
            assertTrue(periodics.scheduler().task("sim_power_visits").target() == sim);
        }
    }
}
