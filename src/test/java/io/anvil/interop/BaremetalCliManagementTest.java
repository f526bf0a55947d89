package io.anvil.interop;

import static io.anvil.testsupport.CliHarness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI (python-ironicclient) on the validate, management, passthru, BIOS and RAID commands
 * (docs/api.md): node validate, inject nmi (checked at the simulated BMC), boot mode set, secure boot on/off, bios
 * setting list/show after a manual clean, node set --target-raid-config, driver raid property list, passthru
 * call/list. Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliManagementTest {
    private static CliHarness harness;
    private static SimulatedFleet fleet;
    private static BaremetalCli cli;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of());
        cli = harness.cli();
        harness.checkEveryOutput(r -> assertFalse(r.both().contains("=password"), "password leaked: " + r));
        fleet = harness.bmcs(new FleetOptions().count(1));
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

    /** Waits until {@code baremetal node show} satisfies {@code done}. */
    private static JsonObject awaitShow(String node, Predicate<JsonObject> done) {
        return harness.awaitShow(node, java.time.Duration.ofSeconds(60), done);
    }

    private static JsonObject row(JsonArray rows, String key, String value) {
        for (Object o : rows) {
            if (o instanceof JsonObject j && value.equals(j.getString(key))) {
                return j;
            }
        }
        throw new AssertionError("no row with " + key + "=" + value + " in " + rows.encode());
    }

    @Test
    void fakeNodeValidateBootModeSecureBootBiosAndRaid() throws Exception {
        run("node", "create", "--driver", "fake-hardware", "--name", "cli-mgmt", "--raid-interface", "fake")
                .ok();
        JsonArray validate = run("node", "validate", "cli-mgmt", "-f", "json").jsonList();
        assertEquals(11, validate.size(), validate.encode());
        assertEquals(true, row(validate, "Interface", "power").getValue("Result"));
        assertEquals(true, row(validate, "Interface", "bios").getValue("Result"));

        run("node", "manage", "cli-mgmt", "--wait", "60").ok();
        run("node", "boot", "mode", "set", "cli-mgmt", "bios").ok();
        awaitShow("cli-mgmt", n -> "bios".equals(n.getString("boot_mode")));
        run("node", "secure", "boot", "on", "cli-mgmt").ok();
        awaitShow("cli-mgmt", n -> Boolean.TRUE.equals(n.getBoolean("secure_boot")));
        run("node", "secure", "boot", "off", "cli-mgmt").ok();
        awaitShow("cli-mgmt", n -> Boolean.FALSE.equals(n.getBoolean("secure_boot")));

        // RAID: the logical disk properties, a target the schema accepts, one it refuses
        JsonArray props = run("driver", "raid", "property", "list", "fake-hardware", "-f", "json")
                .jsonList();
        assertTrue(props.encode().contains("raid_level") && props.encode().contains("size_gb"), props.encode());
        String target = "{\"logical_disks\": [{\"size_gb\": 50, \"raid_level\": \"1\", \"is_root_volume\": true}]}";
        run("node", "set", "cli-mgmt", "--target-raid-config", target).ok();
        JsonObject n = run("node", "show", "cli-mgmt", "-f", "json").json();
        assertEquals(new JsonObject(target), n.getJsonObject("target_raid_config"));
        BaremetalCli.Result bad =
                run("node", "set", "cli-mgmt", "--target-raid-config", "{\"logical_disks\": [{\"size_gb\": 5}]}");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("'raid_level' is a required property"), bad.err());

        // a manual clean with BIOS and RAID steps, then the settings through the CLI
        String steps = "[{\"interface\": \"bios\", \"step\": \"apply_configuration\", \"args\": {\"settings\":"
                + " [{\"name\": \"LogicalProc\", \"value\": \"Disabled\"}, {\"name\": \"SriovGlobalEnable\","
                + " \"value\": \"Enabled\"}]}}, {\"interface\": \"raid\", \"step\": \"create_configuration\"}]";
        harness.provision("manageable", "clean", "cli-mgmt", "--clean-steps", steps);
        JsonArray settings =
                run("node", "bios", "setting", "list", "cli-mgmt", "-f", "json").jsonList();
        assertEquals(2, settings.size(), settings.encode());
        assertEquals(
                "Disabled", row(settings, "BIOS setting name", "LogicalProc").getString("BIOS setting value"));
        JsonObject one = run("node", "bios", "setting", "show", "cli-mgmt", "SriovGlobalEnable", "-f", "json")
                .json();
        assertEquals("Enabled", one.getString("value"), one.encode());
        n = run("node", "show", "cli-mgmt", "-f", "json").json();
        assertEquals(
                new JsonObject(target).getJsonArray("logical_disks"),
                n.getJsonObject("raid_config").getJsonArray("logical_disks"));
    }

    @Test
    void ipmiNodeInjectNmiAndRawPassthru() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        run(
                        "node",
                        "create",
                        "--driver",
                        "ipmi",
                        "--name",
                        "cli-nmi",
                        "--driver-info",
                        "ipmi_address=127.0.0.1",
                        "--driver-info",
                        "ipmi_port=" + bmc.port(),
                        "--driver-info",
                        "ipmi_username=admin",
                        "--driver-info",
                        "ipmi_password=password")
                .ok();
        JsonArray validate = run("node", "validate", "cli-nmi", "-f", "json").jsonList();
        assertEquals(true, row(validate, "Interface", "power").getValue("Result"), validate.encode());
        assertEquals(false, row(validate, "Interface", "boot").getValue("Result"), validate.encode());

        get(bmc.power(PowerState.ON));
        run("node", "inject", "nmi", "cli-nmi").ok();
        assertEquals(1, bmc.counters().diagnosticInterrupts());

        JsonArray methods =
                run("node", "passthru", "list", "cli-nmi", "-f", "json").jsonList();
        assertTrue(methods.encode().contains("send_raw") && methods.encode().contains("bmc_reset"), methods.encode());
        BaremetalCli.Result raw = run("node", "passthru", "call", "cli-nmi", "send_raw", "--arg", "raw_bytes=0x06 0x01")
                .ok();
        assertTrue(raw.out().contains("'completion_code': '0x00'"), raw.out());
        assertTrue(raw.out().contains("0x20 0x01 0x01 0x00 0x02 0x85"), raw.out());
        run("node", "passthru", "call", "cli-nmi", "bmc_reset", "--arg", "warm=true")
                .ok();
        get(bmc.when(c -> c.bmcResets() == 1));
    }
}
