package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.client.ClientStats;
import io.anvil.sim.bmc.BmcCounters;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Power through the REST API on an {@code ipmi} node backed by a simulated BMC: on, off, rebooting and soft
 * power off change the BMC's power and the node's power_state/target_power_state, with power_set start/end
 * rows; an action on a node already in the state sends no Chassis Control (docs/architecture.md#ironic-scenarios,
 * scenario 11); the action waits for the BMC to report the state; concurrent reads of one BMC go one at a time through
 * its governor.
 */
class IpmiPowerApiTest extends AbstractIpmiApiTest {
    private SimulatedFleet fast;
    private SimulatedFleet slow;
    private SimulatedFleet keyed;

    @BeforeAll
    void fleets() {
        fast = fleet(new FleetOptions().count(6).softOffDelay(Duration.ofMillis(300)));
        slow = fleet(
                new FleetOptions().count(2).powerOnDelay(Duration.ofMillis(500)).powerOffDelay(Duration.ofMillis(500)));
        keyed = fleet(
                new FleetOptions().count(1).bmcKey(java.util.HexFormat.of().parseHex("0badc0de")));
    }

    /** Two-key login: the node's ipmi_hex_kg_key is the BMC's K_g, so the session keys match and power works. */
    @Test
    void bmcKeyFromDriverInfo() {
        SimulatedBmc bmc = keyed.bmc(0);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_hex_kg_key", "0BADC0DE"));
        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"), n::encode);
        assertEquals(PowerState.ON, bmc.power());
        assertEquals("******", n.getJsonObject("driver_info").getString("ipmi_hex_kg_key"));
    }

    @Test
    void powerOnOffRebootSoftOff() {
        SimulatedBmc bmc = fast.bmc(0);
        assertEquals(PowerState.OFF, bmc.power());
        String uuid = createIpmiNode(driverInfo(bmc));

        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(PowerState.ON, bmc.power());
        assertEquals(List.of("start:power on", "end:power on"), powerEvents(uuid));

        assertEquals(202, power(uuid, "power off").status());
        n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power off", n.getString("power_state"));
        assertEquals(PowerState.OFF, bmc.power());

        // reboot from off: Ironic's ipmitool reboot skips the off half, powers on, waits
        long bootsBefore = bmc.counters().boots();
        assertEquals(202, power(uuid, "rebooting").status());
        n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"));
        assertEquals(PowerState.ON, bmc.power());
        assertEquals(bootsBefore + 1, bmc.counters().boots());

        // reboot from on: off, then on
        BmcCounters before = bmc.counters();
        assertEquals(202, power(uuid, "rebooting").status());
        n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"));
        BmcCounters after = bmc.counters();
        assertEquals(before.powerOffs() + 1, after.powerOffs(), "reboot powers off first");
        assertEquals(before.powerOns() + 1, after.powerOns(), "then on");
        assertEquals(before.chassisControls() + 2, after.chassisControls());

        // soft power off: the "OS" takes 300 ms after the ACPI request
        long t0 = System.nanoTime();
        assertEquals(202, power(uuid, "soft power off").status());
        n = awaitPowerSettled(uuid, 10_000);
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos(), "soft off waited for the OS");
        assertEquals("power off", n.getString("power_state"));
        assertEquals(PowerState.OFF, bmc.power());

        assertEquals(
                List.of(
                        "start:power on",
                        "end:power on",
                        "start:power off",
                        "end:power off",
                        "start:rebooting",
                        "end:rebooting",
                        "start:rebooting",
                        "end:rebooting",
                        "start:soft power off",
                        "end:soft power off"),
                powerEvents(uuid));
        for (Event e : events(uuid)) {
            if (e.type().endsWith(".start")) {
                assertEquals("info", e.priority());
            }
        }
    }

    /**
     * docs/architecture.md#ironic-scenarios scenario 11: already on → start + end, no Chassis Control, last_error
     * cleared, target None.
     */
    @Test
    void powerOnWhenAlreadyOnSendsNoChassisControl() {
        SimulatedBmc bmc = fast.bmc(1);
        await(bmc.power(PowerState.ON));
        String uuid = createIpmiNode(driverInfo(bmc));
        long controls = bmc.counters().chassisControls();

        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(List.of("start:power on", "end:power on"), powerEvents(uuid));
        assertEquals(controls, bmc.counters().chassisControls(), "no Chassis Control for a node already on");
        assertTrue(bmc.counters().commands() > 0, "the state was read from the BMC");

        // same for power off of a node already off
        await(bmc.power(PowerState.OFF));
        controls = bmc.counters().chassisControls();
        assertEquals(202, power(uuid, "power off").status());
        n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power off", n.getString("power_state"));
        assertEquals(controls, bmc.counters().chassisControls());
    }

    /** power_state changes only once the BMC reports it (500 ms power-on delay), target visible meanwhile. */
    @Test
    void powerActionWaitsForTheState() {
        SimulatedBmc bmc = slow.bmc(0);
        String uuid = createIpmiNode(driverInfo(bmc));
        // start from a known recorded state
        assertEquals(202, power(uuid, "power off").status());
        assertEquals("power off", awaitPowerSettled(uuid, 10_000).getString("power_state"));

        long t0 = System.nanoTime();
        assertEquals(202, power(uuid, "power on").status());
        JsonObject during = node(uuid);
        assertEquals("power on", during.getString("target_power_state"), during.encode());
        assertEquals("power off", during.getString("power_state"), "not on before the BMC says so");

        Future<Void> bmcOn = bmc.whenPower(PowerState.ON);
        // while the BMC is still off the node must not read "power on"
        List<String> seen = new ArrayList<>();
        while (!bmcOn.isComplete()) {
            JsonObject n = node(uuid);
            seen.add(n.getString("power_state"));
            assertEquals("power off", n.getString("power_state"), "node reported on before the BMC: " + n.encode());
            vertxDelay(50);
        }
        long bmcOnAt = System.nanoTime();
        assertTrue(bmcOnAt - t0 >= Duration.ofMillis(450).toNanos(), "sim delay in effect");
        JsonObject n = awaitPowerSettled(uuid, 10_000);
        assertEquals("power on", n.getString("power_state"));
        assertTrue(!seen.isEmpty(), "observed the pending state: " + seen);
        assertEquals(
                List.of("start:power off", "end:power off", "start:power on", "end:power on"),
                powerEvents(uuid)
                        .subList(powerEvents(uuid).size() - 4, powerEvents(uuid).size()));
    }

    /**
     * One BMC, one governor: 20 ipmi nodes on the same BMC are powered on at once; each action reads the power
     * state (Get Chassis Status, already on → skip), and the client never has more than one operation in
     * flight on that BMC.
     */
    @Test
    void concurrentReadsOfOneBmcAreSerialized() {
        SimulatedBmc bmc = fast.bmc(2);
        await(bmc.power(PowerState.ON));
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            uuids.add(createIpmiNode(driverInfo(bmc)));
        }
        long controls = bmc.counters().chassisControls();
        List<Future<Resp>> sent = new ArrayList<>();
        for (String u : uuids) {
            sent.add(send(
                    HttpMethod.PUT, "/v1/nodes/" + u + "/states/power", new JsonObject().put("target", "power on")));
        }
        for (Future<Resp> f : sent) {
            assertEquals(202, await(f).status(), () -> await(f).toString());
        }
        for (String u : uuids) {
            assertEquals("power on", awaitPowerSettled(u, 15_000).getString("power_state"));
        }
        ClientStats.BmcStats s = bmcStats(bmc);
        assertEquals(1, s.maxInFlightObserved(), s.toString());
        assertTrue(s.operationsStarted() >= 20, s.toString());
        assertEquals(0, s.operationsFailed(), s.toString());
        // and the operations did not overlap in time
        List<ClientStats.Operation> ops = s.recent();
        for (int i = 1; i < ops.size(); i++) {
            assertTrue(
                    ops.get(i).startNanos() >= ops.get(i - 1).endNanos(),
                    "overlap: " + ops.get(i - 1) + " / " + ops.get(i));
        }
        assertEquals(controls, bmc.counters().chassisControls());
        assertEquals(1, ipmiSessionsOn(bmc), "one session per credentials, reused");
    }

    private static int ipmiSessionsOn(SimulatedBmc bmc) {
        return bmc.activeSessions();
    }
}
