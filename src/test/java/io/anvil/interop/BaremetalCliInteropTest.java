package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the real {@code baremetal} CLI (python3-ironicclient) against Anvil: the proof that operators' tools
 * work unchanged. Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliInteropTest {
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

    @Test
    void driverList() throws Exception {
        JsonArray drivers = cli.call("driver", "list", "-f", "json").jsonList();
        List<String> names = new ArrayList<>();
        drivers.forEach(d -> names.add(((JsonObject) d).getString("Supported driver(s)")));
        assertTrue(names.containsAll(List.of("fake-hardware", "ipmi")), names.toString());
        JsonObject ipmi = cli.call("driver", "show", "ipmi", "-f", "json").json();
        assertEquals("ipmitool", ipmi.getString("default_power_interface"));
    }

    @Test
    void nodeLifecycleThroughTheCli() throws Exception {
        JsonObject created = cli.call(
                        "node",
                        "create",
                        "--driver",
                        "fake-hardware",
                        "--name",
                        "cli-node",
                        "--driver-info",
                        "ipmi_address=10.0.0.9",
                        "--driver-info",
                        "ipmi_password=hunter2",
                        "--property",
                        "cpus=8",
                        "--resource-class",
                        "baremetal",
                        "-f",
                        "json")
                .json();
        String uuid = created.getString("uuid");
        assertEquals("enroll", created.getString("provision_state"));
        assertEquals("******", created.getJsonObject("driver_info").getString("ipmi_password"));
        assertFalse(cli.call("node", "show", "cli-node", "-f", "json").out().contains("hunter2"), "password leaked");

        JsonArray list = cli.call("node", "list", "-f", "json").jsonList();
        assertEquals(1, list.size());
        assertEquals("cli-node", list.getJsonObject(0).getString("Name"));
        assertEquals("enroll", list.getJsonObject(0).getString("Provisioning State"));

        cli.call("node", "set", "cli-node", "--extra", "rack=r12", "--description", "edge box", "--owner", "team-a")
                .ok();
        JsonObject shown = cli.call("node", "show", uuid, "-f", "json").json();
        assertEquals("r12", shown.getJsonObject("extra").getString("rack"));
        assertEquals("edge box", shown.getString("description"));
        assertEquals("team-a", shown.getString("owner"));
        assertEquals("baremetal", shown.getString("resource_class"));

        cli.call("node", "unset", "cli-node", "--extra", "rack", "--owner").ok();
        shown = cli.call("node", "show", "cli-node", "-f", "json").json();
        assertFalse(shown.getJsonObject("extra").containsKey("rack"));
        assertEquals(null, shown.getValue("owner"));

        cli.call("node", "maintenance", "set", "cli-node", "--reason", "disk swap")
                .ok();
        shown = cli.call("node", "show", "cli-node", "-f", "json", "-c", "maintenance", "-c", "maintenance_reason")
                .json();
        assertEquals(true, shown.getBoolean("maintenance"));
        assertEquals("disk swap", shown.getString("maintenance_reason"));
        cli.call("node", "maintenance", "unset", "cli-node").ok();
        shown = cli.call("node", "show", "cli-node", "-f", "json").json();
        assertEquals(false, shown.getBoolean("maintenance"));
        assertEquals(null, shown.getValue("maintenance_reason"));

        // network_data (1.66): a valid document is stored, an invalid one refused in Ironic's words
        String networkData = "{\"links\": [{\"id\": \"eth0\", \"type\": \"phy\","
                + " \"ethernet_mac_address\": \"52:54:00:12:34:56\"}], \"networks\": [], \"services\": []}";
        cli.call("node", "set", "cli-node", "--network-data", networkData).ok();
        shown = cli.call("node", "show", "cli-node", "-f", "json", "-c", "network_data")
                .json();
        assertEquals(
                "eth0",
                shown.getJsonObject("network_data")
                        .getJsonArray("links")
                        .getJsonObject(0)
                        .getString("id"));
        cli.call("node", "set", "cli-node", "--network-data", "{\"links\": []}")
                .failed("Invalid network_data: 'networks' is a required property");

        BaremetalCli.Result missing = cli.call("node", "show", "no-such-node");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("could not be found"), missing.err());

        cli.call("node", "delete", "cli-node").ok();
        assertEquals(0, cli.call("node", "list", "-f", "json").jsonList().size());
    }

    @Test
    void portLifecycleThroughTheCli() throws Exception {
        String node = cli.call("node", "create", "--driver", "fake-hardware", "--name", "port-node", "-f", "json")
                .json()
                .getString("uuid");
        JsonObject port = cli.call(
                        "port", "create", "52:54:00:AB:CD:01", "--node", node, "--extra", "slot=1", "-f", "json")
                .json();
        assertEquals("52:54:00:ab:cd:01", port.getString("address"));
        assertEquals(node, port.getString("node_uuid"));
        String portUuid = port.getString("uuid");

        JsonArray ports = cli.call("port", "list", "-f", "json").jsonList();
        assertEquals(1, ports.size());
        assertEquals("52:54:00:ab:cd:01", ports.getJsonObject(0).getString("Address"));
        assertEquals(
                1,
                cli.call("port", "list", "--node", "port-node", "-f", "json")
                        .jsonList()
                        .size());

        JsonObject shown = cli.call("port", "show", portUuid, "-f", "json").json();
        assertEquals("1", shown.getJsonObject("extra").getString("slot"));
        assertEquals(
                portUuid,
                cli.call("port", "show", "--address", "52:54:00:ab:cd:01", "-f", "json")
                        .json()
                        .getString("uuid"));

        BaremetalCli.Result bad = cli.call("port", "create", "not-a-mac", "--node", node);
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("MAC"), bad.err());

        cli.call("port", "delete", portUuid).ok();
        assertEquals(0, cli.call("port", "list", "-f", "json").jsonList().size());
        cli.call("node", "delete", node).ok();
    }
}
