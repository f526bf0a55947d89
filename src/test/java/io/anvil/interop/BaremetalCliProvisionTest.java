package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI (python3-ironicclient) drives a fake-hardware node through the provisioning
 * life cycle against Anvil: manage, provide, deploy, undeploy, power on/off, boot device, inspect and manual
 * cleaning; {@code --wait} on manage, inspect and a failing deploy (the long actions are waited for by
 * {@link CliHarness#provision}: the CLI polls those every 10 s). Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliProvisionTest {
    private static CliHarness harness;
    private static BaremetalCli cli;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of());
        cli = harness.cli();
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static JsonObject show(String node) throws Exception {
        return cli.call("node", "show", node, "-f", "json").json();
    }

    /** Waits until {@code node show}'s {@code field} equals {@code value}. */
    private static JsonObject waitFor(String node, String field, String value) {
        return harness.awaitShow(node, Duration.ofSeconds(30), n -> value.equals(n.getString(field)));
    }

    @Test
    void provisioningLifeCycleThroughTheCli() throws Exception {
        JsonObject created = cli.call("node", "create", "--driver", "fake-hardware", "--name", "life", "-f", "json")
                .json();
        String uuid = created.getString("uuid");
        assertEquals("enroll", created.getString("provision_state"));

        cli.call("node", "manage", "life", "--wait", "60").ok();
        JsonObject n = show("life");
        assertEquals("manageable", n.getString("provision_state"));
        assertNull(n.getValue("target_provision_state"));
        // verification reads the power state through the fake power interface, which reports what is recorded:
        // nothing yet, as Ironic's fake driver (docs/api.md, PATCH rules: power_state)
        assertNull(n.getValue("power_state"), "a fake node has no power state until a power action");

        harness.provision("available", "provide", "life");
        assertEquals("available", show("life").getString("provision_state"));

        harness.provision("active", "deploy", "life");
        n = show(uuid);
        assertEquals("active", n.getString("provision_state"));
        assertNull(n.getValue("target_provision_state"));
        assertNull(n.getValue("last_error"));
        assertNull(n.getValue("reservation"), "the lock is released once the deploy is done");

        harness.provision("available", "undeploy", "life");
        assertEquals("available", show("life").getString("provision_state"));

        // the states endpoint, as the CLI reads it
        JsonObject states = cli.call(
                        "node", "show", "life", "-f", "json", "-c", "provision_state", "-c", "target_provision_state")
                .json();
        assertEquals("available", states.getString("provision_state"));
    }

    @Test
    void powerAndBootDeviceThroughTheCli() throws Exception {
        cli.call("node", "create", "--driver", "fake-hardware", "--name", "pw", "-f", "json")
                .ok();
        cli.call("node", "power", "on", "pw").ok();
        JsonObject n = waitFor("pw", "power_state", "power on");
        assertNull(n.getValue("target_power_state"));
        cli.call("node", "power", "off", "pw").ok();
        n = waitFor("pw", "power_state", "power off");
        assertNull(n.getValue("target_power_state"));
        cli.call("node", "reboot", "pw").ok();
        waitFor("pw", "power_state", "power on");

        cli.call("node", "boot", "device", "set", "pw", "pxe", "--persistent").ok();
        JsonObject boot =
                cli.call("node", "boot", "device", "show", "pw", "-f", "json").json();
        assertEquals("pxe", boot.getString("boot_device"));
        assertEquals(true, boot.getBoolean("persistent"));
        cli.call("node", "boot", "device", "set", "pw", "disk").ok();
        boot = cli.call("node", "boot", "device", "show", "pw", "-f", "json").json();
        assertEquals("disk", boot.getString("boot_device"));
        assertEquals(false, boot.getBoolean("persistent"));
        JsonObject supported = cli.call("node", "boot", "device", "show", "pw", "--supported", "-f", "json")
                .json();
        assertTrue(String.valueOf(supported.getValue("supported_boot_devices")).contains("pxe"), supported.encode());

        BaremetalCli.Result bad = cli.call("node", "boot", "device", "set", "pw", "floppy");
        assertNotEquals(0, bad.exit());
    }

    @Test
    void inspectAndManualCleaningThroughTheCli() throws Exception {
        cli.call("node", "create", "--driver", "fake-hardware", "--name", "ic", "-f", "json")
                .ok();
        cli.call("node", "manage", "ic", "--wait", "60").ok();

        cli.call("node", "inspect", "ic", "--wait", "60").ok();
        JsonObject n = show("ic");
        assertEquals("manageable", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertTrue(n.getString("inspection_finished_at") != null, n.encode());

        // Ironic refuses an empty step list ('"clean_steps" is required'), and so does Anvil
        BaremetalCli.Result empty = cli.call("node", "clean", "ic", "--clean-steps", "[]");
        assertNotEquals(0, empty.exit());
        assertTrue(empty.err().contains("clean_steps"), empty.err());
        assertEquals("manageable", show("ic").getString("provision_state"));

        harness.provision(
                "manageable",
                "clean",
                "ic",
                "--clean-steps",
                "[{\"interface\": \"deploy\", \"step\": \"erase_devices_metadata\"}]");
        n = show("ic");
        assertEquals("manageable", n.getString("provision_state"), "manual cleaning returns to manageable");
        assertNull(n.getValue("target_provision_state"));

        // a failing deploy through the CLI: --wait reports the failure and the node shows why
        cli.call("node", "set", "ic", "--driver-info", "fake_deploy_fail=no disk")
                .ok();
        harness.provision("available", "provide", "ic");
        BaremetalCli.Result failed = cli.call("node", "deploy", "ic", "--wait", "60");
        assertNotEquals(0, failed.exit());
        n = show("ic");
        assertEquals("deploy failed", n.getString("provision_state"));
        assertTrue(n.getString("last_error").contains("no disk"), n.encode());
    }
}
