package io.anvil.interop;

import static io.anvil.testsupport.CliHarness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI drives an {@code ipmi} node whose BMC is Anvil's simulator: power on/off,
 * reboot, boot device set/show, manage --wait. Asserts both the CLI's output and the simulated BMC's state.
 * Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliIpmiTest {
    private static CliHarness harness;
    private static SimulatedFleet fleet;
    private static BaremetalCli cli;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of());
        cli = harness.cli();
        harness.checkEveryOutput(r -> assertFalse(
                r.both().contains("\"password\"") || r.both().contains("=password"), "password leaked: " + r));
        fleet = harness.bmcs(new FleetOptions().count(2));
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static BaremetalCli.Result run(String... args) {
        return harness.run(args);
    }

    /** Waits until {@code baremetal node show} satisfies {@code done} (the CLI's power commands return on 202). */
    private static JsonObject awaitShow(String node, Predicate<JsonObject> done) {
        return harness.awaitShow(node, Duration.ofSeconds(30), done);
    }

    /** {@code baremetal node console enable/show/disable} on an ipmi-sol node (docs/console.md). */
    @Test
    void solConsoleThroughTheCli() throws Exception {
        SimulatedBmc bmc = fleet.bmc(1);
        run(
                        "node",
                        "create",
                        "--driver",
                        "ipmi",
                        "--name",
                        "cli-sol",
                        "--console-interface",
                        "ipmi-sol",
                        "--driver-info",
                        "ipmi_address=127.0.0.1",
                        "--driver-info",
                        "ipmi_port=" + bmc.port(),
                        "--driver-info",
                        "ipmi_username=admin",
                        "--driver-info",
                        "ipmi_password=password")
                .ok();
        JsonObject off = run("node", "console", "show", "cli-sol", "-f", "json").json();
        assertEquals(false, off.getBoolean("console_enabled"));
        run("node", "console", "enable", "cli-sol").ok();
        get(bmc.when(c -> c.solActivations() >= 1));
        assertTrue(bmc.solActive());
        JsonObject on = run("node", "console", "show", "cli-sol", "-f", "json").json();
        assertEquals(true, on.getBoolean("console_enabled"), on::encode);
        JsonObject info = on.getJsonObject("console_info");
        assertEquals("websocket", info.getString("type"), on::encode);
        assertTrue(info.getString("url").endsWith("/console"), on::encode);
        run("node", "console", "disable", "cli-sol").ok();
        get(bmc.when(c -> c.sessionsClosed() >= 1));
        assertFalse(bmc.solActive());
        assertEquals(
                false,
                run("node", "console", "show", "cli-sol", "-f", "json").json().getBoolean("console_enabled"));
    }

    @Test
    void ipmiNodeThroughTheCli() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        JsonObject created = run(
                        "node",
                        "create",
                        "--driver",
                        "ipmi",
                        "--name",
                        "cli-ipmi",
                        "--driver-info",
                        "ipmi_address=127.0.0.1",
                        "--driver-info",
                        "ipmi_port=" + bmc.port(),
                        "--driver-info",
                        "ipmi_username=admin",
                        "--driver-info",
                        "ipmi_password=password",
                        "-f",
                        "json")
                .json();
        assertEquals("ipmitool", created.getString("power_interface"));
        assertEquals("******", created.getJsonObject("driver_info").getString("ipmi_password"));

        // manage --wait: verify reads the real power state (off)
        BaremetalCli.Result managed =
                run("node", "manage", "cli-ipmi", "--wait", "60").ok();
        assertTrue(managed.err().isEmpty() || !managed.err().contains("ERROR"), managed.err());
        JsonObject n = run("node", "show", "cli-ipmi", "-f", "json").json();
        assertEquals("manageable", n.getString("provision_state"));
        assertEquals("power off", n.getString("power_state"));

        run("node", "power", "on", "cli-ipmi").ok();
        get(bmc.whenPower(PowerState.ON));
        n = awaitShow(
                "cli-ipmi",
                x -> "power on".equals(x.getString("power_state")) && x.getValue("target_power_state") == null);
        assertEquals(null, n.getValue("last_error"));

        long boots = bmc.counters().boots();
        run("node", "reboot", "cli-ipmi").ok();
        get(bmc.when(c -> c.boots() > boots));
        awaitShow(
                "cli-ipmi",
                x -> "power on".equals(x.getString("power_state")) && x.getValue("target_power_state") == null);
        assertEquals(PowerState.ON, bmc.power());
        assertTrue(bmc.counters().powerOffs() >= 1, "reboot went through off: " + bmc.counters());

        run("node", "boot", "device", "set", "cli-ipmi", "pxe", "--persistent").ok();
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertTrue(bmc.bootPersistent());
        assertTrue(bmc.bootEfi(), "default boot mode UEFI");
        JsonObject shown =
                run("node", "boot", "device", "show", "cli-ipmi", "-f", "json").json();
        assertEquals("pxe", shown.getString("boot_device"));
        assertEquals(true, shown.getBoolean("persistent"));
        BaremetalCli.Result supported = run("node", "boot", "device", "show", "cli-ipmi", "--supported", "-f", "json")
                .ok();
        assertTrue(supported.out().contains("pxe") && supported.out().contains("disk"), supported.out());

        run("node", "power", "off", "cli-ipmi").ok();
        get(bmc.whenPower(PowerState.OFF));
        awaitShow(
                "cli-ipmi",
                x -> "power off".equals(x.getString("power_state")) && x.getValue("target_power_state") == null);
        assertEquals(PowerState.OFF, bmc.power());

        // an error is visible through the CLI too: wrong password, last_error names it, no password shown
        run("node", "set", "cli-ipmi", "--driver-info", "ipmi_password=Wr0ng-S3cret")
                .ok();
        run("node", "power", "on", "cli-ipmi").ok();
        n = awaitShow("cli-ipmi", x -> x.getValue("target_power_state") == null && x.getValue("last_error") != null);
        assertTrue(n.getString("last_error").contains("wrong password"), n.getString("last_error"));
        assertFalse(n.encode().contains("Wr0ng-S3cret"), n.encode());
        assertEquals(PowerState.OFF, bmc.power());
    }
}
