package io.anvil.conductor;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.ipmi.IpmiManagement;
import io.anvil.driver.ipmi.IpmiPower;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.periodic.PeriodicHarness;
import io.anvil.periodic.WalkResult;
import io.anvil.sim.bmc.BmcFaults;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.upkeep.PowerSync;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Power-state sync (docs/architecture.md#ironic-scenarios scenarios 24, 25) over real IPMI: ipmi nodes on Anvil's
 * simulated BMCs, every check a Get Chassis Status through the client's per-BMC governor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PowerSyncIpmiTest {
    private PeriodicHarness h;
    private IpmiClient client;
    private SimulatedFleet fleet;
    private final Promise<Void> neverStops = Promise.promise();

    @BeforeAll
    void start() {
        h = PeriodicHarness.start();
        // short retries so a silent BMC fails a check in well under a second
        client = await(IpmiClient.create(
                h.vertx,
                new IpmiClientOptions()
                        .setRetry(RetryPolicy.of(100, 50, 2))
                        .setHandshakeAttempts(1)
                        .setCircuitFailureThreshold(0)));
        h.drivers
                .registerPower("ipmitool", new IpmiPower(h.vertx, client, true))
                .registerManagement("ipmitool", new IpmiManagement(client, true));
        fleet = await(SimulatedFleet.start(
                h.vertx, new FleetOptions().count(4).host("127.0.0.1").basePort(0)));
    }

    @AfterAll
    void stop() {
        await(client.close());
        await(fleet.close());
        h.close();
    }

    @BeforeEach
    void clean() {
        h.sql("DELETE FROM nodes");
        for (SimulatedBmc b : fleet.bmcs()) {
            b.faults(BmcFaults.NONE);
            await(b.power(PowerState.OFF));
        }
    }

    private String ipmiNode(SimulatedBmc bmc, String recordedPower) {
        JsonObject info = new JsonObject()
                .put("ipmi_address", "127.0.0.1")
                .put("ipmi_port", bmc.port())
                .put("ipmi_username", "admin")
                .put("ipmi_password", "password");
        return h.node(Map.of(
                "driver",
                "ipmi",
                "provision_state",
                "active",
                "power_state",
                recordedPower,
                "driver_info",
                info,
                "power_interface",
                "ipmitool",
                "management_interface",
                "ipmitool"));
    }

    private WalkResult cycle(boolean force) {
        PowerSync sync = new PowerSync(h.vertx, h.power, new PowerSync.Settings(Duration.ofMillis(20), 8, 3, force));
        return await(sync.syncPowerStates(h.iterator(), neverStops.future()));
    }

    @Test
    void matchingNodesAreOnlyRead() {
        String uuid = ipmiNode(fleet.bmc(0), "power off");
        long controls = fleet.bmc(0).counters().chassisControls();
        WalkResult r = cycle(true);
        assertEquals(1, r.visited());
        assertEquals(controls, fleet.bmc(0).counters().chassisControls(), "no Chassis Control when in sync");
        assertEquals(List.of(), h.events(uuid));
    }

    @Test
    void forcedSyncPowersTheBmcToTheRecordedState() {
        String uuid = ipmiNode(fleet.bmc(1), "power on");
        cycle(true);
        assertEquals(PowerState.ON, fleet.bmc(1).power(), "the BMC was powered on to match the record");
        assertEquals("power on", h.row(uuid).getString("power_state"));
        assertEquals(List.of("baremetal.node.power_set.start", "baremetal.node.power_set.end"), h.events(uuid));
    }

    @Test
    void unforcedSyncRecordsWhatTheBmcSays() {
        String uuid = ipmiNode(fleet.bmc(2), "power on");
        long controls = fleet.bmc(2).counters().chassisControls();
        cycle(false);
        assertEquals(PowerState.OFF, fleet.bmc(2).power());
        assertEquals(controls, fleet.bmc(2).counters().chassisControls(), "the hardware is not touched");
        assertEquals("power off", h.row(uuid).getString("power_state"));
        assertEquals(List.of(PowerSync.CORRECTED_EVENT), h.events(uuid));
    }

    @Test
    void aSilentBmcEndsInPowerFailureMaintenanceAndRecovers() {
        String uuid = ipmiNode(fleet.bmc(3), "power off");
        fleet.bmc(3).faults(BmcFaults.NONE.withSilent(true));
        PowerSync sync = new PowerSync(h.vertx, h.power, new PowerSync.Settings(Duration.ofMillis(20), 8, 3, true));
        for (int i = 1; i <= 4; i++) {
            await(sync.syncPowerStates(h.iterator(), neverStops.future()));
        }
        JsonObject row = h.row(uuid);
        assertTrue(row.getBoolean("maintenance"), "maintenance after more than 3 failed checks: " + row.encode());
        assertEquals(PowerSync.POWER_FAILURE, row.getString("fault"));
        assertTrue(h.events(uuid).contains(PowerSync.CORRECTED_EVENT));

        fleet.bmc(3).faults(BmcFaults.NONE);
        await(sync.powerFailureRecovery(h.iterator()));
        row = h.row(uuid);
        assertFalse(row.getBoolean("maintenance"), "recovery clears it once the BMC answers: " + row.encode());
        assertEquals(null, row.getString("fault"));
    }
}
