package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the real {@code baremetal} CLI (python3-ironicclient) against Anvil: the proof that operators' tools
 * work unchanged. Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliInteropTest {
    private static AnvilInstance anvil;
    private static String cli;

    @BeforeAll
    static void start() throws Exception {
        cli = TestServices.requireTool("baremetal");
        anvil = AnvilInstance.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
    }

    /** Runs {@code baremetal ARGS}; returns stdout, failing the test on a non-zero exit unless expected. */
    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cli, "--os-auth-type", "none", "--os-endpoint", anvil.endpoint()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = read(p.getInputStream());
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "baremetal timed out: " + cmd);
        return new Result(p.exitValue(), out, err);
    }

    private static String read(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }

    private record Result(int exit, String out, String err) {
        Result ok() {
            assertEquals(0, exit, "baremetal failed: " + err + out);
            return this;
        }

        JsonObject json() {
            return new JsonObject(ok().out);
        }

        JsonArray jsonList() {
            return new JsonArray(ok().out);
        }
    }

    @Test
    void driverList() throws Exception {
        JsonArray drivers = run("driver", "list", "-f", "json").jsonList();
        List<String> names = new ArrayList<>();
        drivers.forEach(d -> names.add(((JsonObject) d).getString("Supported driver(s)")));
        assertTrue(names.containsAll(List.of("fake-hardware", "ipmi")), names.toString());
        JsonObject ipmi = run("driver", "show", "ipmi", "-f", "json").json();
        assertEquals("ipmitool", ipmi.getString("default_power_interface"));
    }

    @Test
    void nodeLifecycleThroughTheCli() throws Exception {
        JsonObject created = run(
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
        assertFalse(run("node", "show", "cli-node", "-f", "json").out.contains("hunter2"), "password leaked");

        JsonArray list = run("node", "list", "-f", "json").jsonList();
        assertEquals(1, list.size());
        assertEquals("cli-node", list.getJsonObject(0).getString("Name"));
        assertEquals("enroll", list.getJsonObject(0).getString("Provisioning State"));

        run("node", "set", "cli-node", "--extra", "rack=r12", "--description", "edge box", "--owner", "team-a")
                .ok();
        JsonObject shown = run("node", "show", uuid, "-f", "json").json();
        assertEquals("r12", shown.getJsonObject("extra").getString("rack"));
        assertEquals("edge box", shown.getString("description"));
        assertEquals("team-a", shown.getString("owner"));
        assertEquals("baremetal", shown.getString("resource_class"));

        run("node", "unset", "cli-node", "--extra", "rack", "--owner").ok();
        shown = run("node", "show", "cli-node", "-f", "json").json();
        assertFalse(shown.getJsonObject("extra").containsKey("rack"));
        assertEquals(null, shown.getValue("owner"));

        run("node", "maintenance", "set", "cli-node", "--reason", "disk swap").ok();
        shown = run("node", "show", "cli-node", "-f", "json", "-c", "maintenance", "-c", "maintenance_reason")
                .json();
        assertEquals(true, shown.getBoolean("maintenance"));
        assertEquals("disk swap", shown.getString("maintenance_reason"));
        run("node", "maintenance", "unset", "cli-node").ok();
        shown = run("node", "show", "cli-node", "-f", "json").json();
        assertEquals(false, shown.getBoolean("maintenance"));
        assertEquals(null, shown.getValue("maintenance_reason"));

        Result missing = run("node", "show", "no-such-node");
        assertNotEquals(0, missing.exit);
        assertTrue(missing.err.contains("could not be found"), missing.err);

        run("node", "delete", "cli-node").ok();
        assertEquals(0, run("node", "list", "-f", "json").jsonList().size());
    }

    @Test
    void portLifecycleThroughTheCli() throws Exception {
        String node = run("node", "create", "--driver", "fake-hardware", "--name", "port-node", "-f", "json")
                .json()
                .getString("uuid");
        JsonObject port = run("port", "create", "52:54:00:AB:CD:01", "--node", node, "--extra", "slot=1", "-f", "json")
                .json();
        assertEquals("52:54:00:ab:cd:01", port.getString("address"));
        assertEquals(node, port.getString("node_uuid"));
        String portUuid = port.getString("uuid");

        JsonArray ports = run("port", "list", "-f", "json").jsonList();
        assertEquals(1, ports.size());
        assertEquals("52:54:00:ab:cd:01", ports.getJsonObject(0).getString("Address"));
        assertEquals(
                1,
                run("port", "list", "--node", "port-node", "-f", "json")
                        .jsonList()
                        .size());

        JsonObject shown = run("port", "show", portUuid, "-f", "json").json();
        assertEquals("1", shown.getJsonObject("extra").getString("slot"));
        assertEquals(
                portUuid,
                run("port", "show", "--address", "52:54:00:ab:cd:01", "-f", "json")
                        .json()
                        .getString("uuid"));

        Result bad = run("port", "create", "not-a-mac", "--node", node);
        assertNotEquals(0, bad.exit);
        assertTrue(bad.err.contains("MAC"), bad.err);

        run("port", "delete", portUuid).ok();
        assertEquals(0, run("port", "list", "-f", "json").jsonList().size());
        run("node", "delete", node).ok();
    }
}
