package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI (python3-ironicclient, which negotiates 1.78) on VIFs, allocations and deploy
 * templates. Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliSchedulingTest {
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

    private static BaremetalCli.Result run(String... args) {
        return cli.call(args);
    }

    /** A fake-hardware node brought to available through the CLI (manage, provide), of resource class {@code rc}. */
    private static String availableNode(String name, String rc) throws Exception {
        String uuid = run(
                        "node",
                        "create",
                        "--driver",
                        "fake-hardware",
                        "--name",
                        name,
                        "--resource-class",
                        rc,
                        "-f",
                        "json")
                .json()
                .getString("uuid");
        run("node", "manage", name, "--wait", "60").ok();
        harness.provision("available", "provide", name);
        // Ironic allocates only nodes whose power state is known (allocations.py: with_power_state)
        run("node", "power", "on", name, "--power-timeout", "60").ok();
        return uuid;
    }

    @Test
    void vifAttachListDetach() throws Exception {
        String node = run("node", "create", "--driver", "fake-hardware", "--name", "cli-vif", "-f", "json")
                .json()
                .getString("uuid");
        String port = run("port", "create", "52:54:00:cd:00:01", "--node", node, "-f", "json")
                .json()
                .getString("uuid");
        run("node", "vif", "attach", "cli-vif", "vif-one").ok();
        JsonArray vifs = run("node", "vif", "list", "cli-vif", "-f", "json").jsonList();
        assertEquals(1, vifs.size(), vifs.encode());
        assertEquals("vif-one", vifs.getJsonObject(0).getString("ID"));
        JsonObject shown = run("port", "show", port, "-f", "json").json();
        assertEquals("vif-one", shown.getJsonObject("internal_info").getString("tenant_vif_port_id"));

        BaremetalCli.Result full = run("node", "vif", "attach", "cli-vif", "vif-two");
        assertNotEquals(0, full.exit());
        assertTrue(full.err().contains("not enough free physical ports"), full.err());

        run("node", "vif", "detach", "cli-vif", "vif-one").ok();
        assertEquals(
                0,
                run("node", "vif", "list", "cli-vif", "-f", "json").jsonList().size());
        run("node", "vif", "attach", "cli-vif", "vif-three", "--port-uuid", port)
                .ok();
        assertEquals(
                "vif-three",
                run("node", "vif", "list", "cli-vif", "-f", "json")
                        .jsonList()
                        .getJsonObject(0)
                        .getString("ID"));
    }

    @Test
    void allocationCreateListShowSetDelete() throws Exception {
        String node = availableNode("cli-alloc-node", "rc-cli");
        JsonObject a = run(
                        "allocation",
                        "create",
                        "--resource-class",
                        "rc-cli",
                        "--name",
                        "cli-alloc",
                        "--wait",
                        "60",
                        "-f",
                        "json")
                .json();
        assertEquals("active", a.getString("state"), a.encode());
        assertEquals(node, a.getString("node_uuid"));
        JsonObject n = run("node", "show", node, "-f", "json").json();
        assertEquals(a.getString("uuid"), n.getString("allocation_uuid"));
        assertEquals(a.getString("uuid"), n.getString("instance_uuid"));

        JsonArray list = run("allocation", "list", "-f", "json").jsonList();
        assertEquals(1, list.size(), list.encode());
        assertEquals(
                "cli-alloc",
                run("allocation", "show", a.getString("uuid"), "-f", "json")
                        .json()
                        .getString("name"));

        run("allocation", "set", "cli-alloc", "--name", "cli-alloc-2", "--extra", "rack=r7")
                .ok();
        JsonObject shown =
                run("allocation", "show", "cli-alloc-2", "-f", "json").json();
        assertEquals("r7", shown.getJsonObject("extra").getString("rack"));

        BaremetalCli.Result failed =
                run("allocation", "create", "--resource-class", "rc-none", "--wait", "60", "-f", "json");
        assertNotEquals(0, failed.exit(), "--wait reports the failed allocation");
        assertTrue(
                (failed.err() + failed.out()).contains("no available nodes match the resource class rc-none"),
                failed.err() + failed.out());

        run("allocation", "delete", "cli-alloc-2").ok();
        n = run("node", "show", node, "-f", "json").json();
        assertEquals(null, n.getValue("allocation_uuid"));
        assertEquals(null, n.getValue("instance_uuid"));
    }

    @Test
    void deployTemplateCreateListShowSetDelete() throws Exception {
        String steps = "[{\"interface\": \"deploy\", \"step\": \"record_args\", \"args\": {\"message\": \"hi\"},"
                + " \"priority\": 50}]";
        JsonObject t = run(
                        "deploy", "template", "create", "CUSTOM_CLI", "--steps", steps, "--extra", "k=v", "-f", "json")
                .json();
        assertEquals("CUSTOM_CLI", t.getString("name"));
        assertEquals(50, t.getJsonArray("steps").getJsonObject(0).getInteger("priority"));
        JsonArray list = run("deploy", "template", "list", "-f", "json").jsonList();
        assertEquals(1, list.size(), list.encode());

        run("deploy", "template", "set", "CUSTOM_CLI", "--name", "CUSTOM_CLI_2").ok();
        JsonObject shown =
                run("deploy", "template", "show", "CUSTOM_CLI_2", "-f", "json").json();
        assertEquals(t.getString("uuid"), shown.getString("uuid"));
        assertEquals("v", shown.getJsonObject("extra").getString("k"));

        BaremetalCli.Result bad = run("deploy", "template", "create", "not_a_trait", "--steps", steps);
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("is not valid under any of the given schemas"), bad.err());

        run("deploy", "template", "delete", "CUSTOM_CLI_2").ok();
        assertEquals(
                0, run("deploy", "template", "list", "-f", "json").jsonList().size());
    }
}
