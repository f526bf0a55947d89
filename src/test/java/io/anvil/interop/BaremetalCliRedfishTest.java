package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
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
 * The real {@code baremetal} CLI drives a {@code redfish} node whose BMC is Anvil's Redfish simulator over HTTPS
 * (verified against the simulator's CA): node create, manage --wait, power on/off, boot device set/show, inspect
 * --wait (out-of-band: properties and a port). Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliRedfishTest {
    private static CliHarness harness;
    private static RedfishFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of());
        harness.checkEveryOutput(r -> assertFalse(
                r.both().contains("\"password\"") || r.both().contains("=password"), "password leaked: " + r));
        fleet = harness.redfishBmcs(new RedfishFleetOptions().count(1));
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

    /** Polls {@code baremetal node show} until {@code done} holds (each CLI run takes about a second). */
    private static JsonObject awaitShow(String node, Predicate<JsonObject> done) {
        return harness.awaitShow(node, Duration.ofSeconds(30), done);
    }

    @Test
    void redfishNodeThroughTheCli() {
        SimulatedRedfishBmc bmc = fleet.bmc(0);
        JsonObject created = run(
                        "node", "create",
                        "--driver", "redfish",
                        "--name", "cli-redfish",
                        "--driver-info", "redfish_address=" + bmc.address(),
                        "--driver-info", "redfish_username=admin",
                        "--driver-info", "redfish_password=password",
                        "--driver-info", "redfish_verify_ca=" + fleet.caFile(),
                        "-f", "json")
                .json();
        assertEquals("redfish", created.getString("power_interface"));
        assertEquals("redfish", created.getString("management_interface"));
        assertEquals("redfish", created.getString("inspect_interface"));
        assertEquals("******", created.getJsonObject("driver_info").getString("redfish_password"));

        run("node", "manage", "cli-redfish", "--wait", "60").ok();
        JsonObject n = run("node", "show", "cli-redfish", "-f", "json").json();
        assertEquals("manageable", n.getString("provision_state"), n::encode);
        assertEquals("power off", n.getString("power_state"));

        run("node", "power", "on", "cli-redfish").ok();
        n = awaitShow(
                "cli-redfish",
                x -> "power on".equals(x.getString("power_state")) && x.getValue("target_power_state") == null);
        assertEquals(null, n.getValue("last_error"));
        assertEquals("On", bmc.power().name());

        run("node", "boot", "device", "set", "cli-redfish", "pxe", "--persistent")
                .ok();
        assertEquals("Pxe", bmc.bootTarget());
        assertEquals("Continuous", bmc.bootEnabled());
        JsonObject shown = run("node", "boot", "device", "show", "cli-redfish", "-f", "json")
                .json();
        assertEquals("pxe", shown.getString("boot_device"));
        assertEquals(true, shown.getBoolean("persistent"));

        run("node", "power", "off", "cli-redfish").ok();
        awaitShow(
                "cli-redfish",
                x -> "power off".equals(x.getString("power_state")) && x.getValue("target_power_state") == null);
        assertEquals("Off", bmc.power().name());

        run("node", "inspect", "cli-redfish", "--wait", "60").ok();
        n = run("node", "show", "cli-redfish", "-f", "json").json();
        assertEquals("manageable", n.getString("provision_state"), n::encode);
        JsonObject props = n.getJsonObject("properties");
        assertTrue(
                props.containsKey("cpus") && props.containsKey("memory_mb") && props.containsKey("local_gb"),
                props::encode);
        BaremetalCli.Result ports =
                run("port", "list", "--node", "cli-redfish", "-f", "json").ok();
        assertTrue(ports.out().contains("52:54:00"), ports.out());

        // a wrong password is named through the CLI too, and never shown
        run("node", "set", "cli-redfish", "--driver-info", "redfish_password=Wr0ng-S3cret")
                .ok();
        run("node", "power", "on", "cli-redfish").ok();
        n = awaitShow("cli-redfish", x -> x.getValue("target_power_state") == null && x.getValue("last_error") != null);
        assertTrue(n.getString("last_error").contains("401"), n.getString("last_error"));
        assertFalse(n.encode().contains("Wr0ng-S3cret"), n.encode());
    }
}
