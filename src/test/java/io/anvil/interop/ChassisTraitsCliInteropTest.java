package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chassis, node traits and {@code baremetal create} driven by the real {@code baremetal} CLI (python3-ironicclient,
 * which negotiates Anvil's maximum microversion). Skipped where the CLI is missing, failed when CI=true.
 */
class ChassisTraitsCliInteropTest {
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

    private static Set<String> column(JsonArray rows, String key) {
        Set<String> out = new TreeSet<>();
        rows.forEach(r -> out.add(String.valueOf(((JsonObject) r).getValue(key))));
        return out;
    }

    @Test
    void chassisLifecycle() throws Exception {
        JsonObject created = run("chassis", "create", "--description", "rack 7", "--extra", "site=fra1", "-f", "json")
                .json();
        String uuid = created.getString("uuid");
        assertEquals("rack 7", created.getString("description"));
        assertEquals("fra1", created.getJsonObject("extra").getString("site"));

        assertTrue(
                column(run("chassis", "list", "-f", "json").jsonList(), "UUID").contains(uuid));
        JsonArray long_ = run("chassis", "list", "--long", "-f", "json").jsonList();
        assertTrue(column(long_, "Description").contains("rack 7"), long_::encode);
        assertEquals("rack 7", run("chassis", "show", uuid, "-f", "json").json().getString("description"));

        run("chassis", "set", uuid, "--description", "rack 8", "--extra", "row=b")
                .ok();
        JsonObject shown = run("chassis", "show", uuid, "-f", "json").json();
        assertEquals("rack 8", shown.getString("description"));
        assertEquals("b", shown.getJsonObject("extra").getString("row"));
        run("chassis", "unset", uuid, "--extra", "site", "--description").ok();
        shown = run("chassis", "show", uuid, "-f", "json").json();
        assertFalse(shown.getJsonObject("extra").containsKey("site"));
        assertEquals(null, shown.getValue("description"));

        // a node in the chassis: listed with it, and the chassis cannot go while it is there
        String node = run("node", "create", "--driver", "fake-hardware", "--chassis-uuid", uuid, "-f", "json")
                .json()
                .getString("uuid");
        assertEquals(
                Set.of(node),
                column(run("node", "list", "--chassis", uuid, "-f", "json").jsonList(), "UUID"));
        run("chassis", "delete", uuid).failed("contains nodes");
        run("node", "set", node, "--chassis-uuid", "11111111-2222-3333-4444-555555555555")
                .failed("could not be found");
        run("node", "delete", node).ok();
        run("chassis", "delete", uuid).ok();
        run("chassis", "show", uuid).failed("could not be found");
        run("chassis", "create", "--uuid", "not-a-uuid").failed("UUID");
    }

    @Test
    void nodeTraits() throws Exception {
        String node = run("node", "create", "--driver", "fake-hardware", "--name", "cli-traits", "-f", "json")
                .json()
                .getString("uuid");
        run("node", "add", "trait", "cli-traits", "CUSTOM_GPU", "HW_CPU_X86_AVX2")
                .ok();
        assertEquals(
                Set.of("CUSTOM_GPU", "HW_CPU_X86_AVX2"),
                column(run("node", "trait", "list", "cli-traits", "-f", "json").jsonList(), "Traits"));
        JsonArray fromShow = run("node", "show", node, "-f", "json").json().getJsonArray("traits");
        assertEquals(new JsonArray(List.of("CUSTOM_GPU", "HW_CPU_X86_AVX2")), fromShow);

        run("node", "remove", "trait", "cli-traits", "CUSTOM_GPU").ok();
        assertEquals(
                Set.of("HW_CPU_X86_AVX2"),
                column(run("node", "trait", "list", node, "-f", "json").jsonList(), "Traits"));
        run("node", "remove", "trait", "cli-traits", "CUSTOM_GPU").failed("doesn't have a trait 'CUSTOM_GPU'");
        run("node", "add", "trait", "cli-traits", "custom_lower").failed("custom_lower");
        run("node", "remove", "trait", "cli-traits", "--all").ok();
        assertEquals(
                0, run("node", "trait", "list", node, "-f", "json").jsonList().size());
        // the traits API is 1.37: an older microversion does not have it
        BaremetalCli.Result old = run("--os-baremetal-api-version", "1.36", "node", "trait", "list", node);
        assertNotEquals(0, old.exit());
        run("node", "delete", node).ok();
    }

    @Test
    void createFromOneYamlFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(
                file,
                """
                chassis:
                  - description: yaml rack
                    extra:
                      site: ams2
                    nodes:
                      - driver: fake-hardware
                        name: yaml-node-1
                        properties:
                          cpus: 16
                        ports:
                          - address: "52:54:00:aa:bb:01"
                        portgroups:
                          - name: yaml-bond
                            address: "52:54:00:aa:bb:0f"
                            ports:
                              - address: "52:54:00:aa:bb:02"
                nodes:
                  - driver: fake-hardware
                    name: yaml-node-2
                    ports:
                      - address: "52:54:00:aa:bb:03"
                """);
        run("create", file.toString()).ok();

        JsonArray chassis = run("chassis", "list", "--long", "-f", "json").jsonList();
        String chassisUuid = null;
        for (Object o : chassis) {
            JsonObject c = (JsonObject) o;
            if ("yaml rack".equals(c.getString("Description"))) {
                chassisUuid = c.getString("UUID");
            }
        }
        assertTrue(chassisUuid != null, chassis::encode);
        JsonObject node1 = run("node", "show", "yaml-node-1", "-f", "json").json();
        assertEquals(chassisUuid, node1.getString("chassis_uuid"));
        assertEquals(16, node1.getJsonObject("properties").getInteger("cpus"));
        assertNull(run("node", "show", "yaml-node-2", "-f", "json").json().getValue("chassis_uuid"));
        assertEquals(
                Set.of("52:54:00:aa:bb:01", "52:54:00:aa:bb:02"),
                column(
                        run("port", "list", "--node", "yaml-node-1", "-f", "json")
                                .jsonList(),
                        "Address"));
        JsonObject bonded = run("port", "show", "--address", "52:54:00:aa:bb:02", "-f", "json")
                .json();
        String bond =
                run("port", "group", "show", "yaml-bond", "-f", "json").json().getString("uuid");
        assertEquals(bond, bonded.getString("portgroup_uuid"));
        assertEquals(
                Set.of("52:54:00:aa:bb:03"),
                column(
                        run("port", "list", "--node", "yaml-node-2", "-f", "json")
                                .jsonList(),
                        "Address"));

        // a file naming a chassis that does not exist fails, and says why
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(
                bad,
                """
                nodes:
                  - driver: fake-hardware
                    name: yaml-orphan
                    chassis_uuid: 11111111-2222-3333-4444-555555555555
                """);
        run("create", bad.toString()).failed("could not be found");
        run("node", "show", "yaml-orphan").failed("could not be found");
    }
}
