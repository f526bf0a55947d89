package io.anvil.interop;

import static io.anvil.testsupport.CliHarness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.sim.agent.SimulatedDisk;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole bare-metal lifecycle of an {@code ipmi} node, driven only through the real {@code baremetal} CLI against
 * simulated BMCs whose PXE boots bring up simulated ramdisk agents (docs/agent.md, docs/steps.md): enrolled with
 * nothing but BMC credentials, managed, inspected by the agent (properties and a port for the PXE NIC), manually
 * cleaned, provided through automated cleaning, deployed with the {@code direct} deploy (the image on the simulated
 * disk, the BMC booting that disk) and undeployed through cleaning again. Also: a wrong image checksum fails the
 * deploy in write_image, and an abort in "clean wait" stops a running agent step. {@code --wait} on manage, inspect
 * and both deploys; the other long actions are waited for by {@link CliHarness#provision} (the CLI polls them every
 * 10 s). Skipped where the CLI is missing, failed when CI=true.
 */
class BaremetalCliLifecycleTest {
    private static final String IMAGE = "os-1m.img";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** BMC 0: the lifecycle; 1: the wrong checksum; 2: the abort (its agent's steps never end). */
    private static final int LIFECYCLE = 0;

    private static final int BAD_CHECKSUM = 1;
    private static final int ABORT = 2;

    private static CliHarness harness;
    private static AgentFleet agents;
    private static AgentFleet slowAgents;
    private static BmcAgents binding;
    private static BmcAgents slowBinding;
    private static SimulatedFleet fleet;
    private static BaremetalCli cli;
    private static String sha256;
    /** Every agent command result seen, by BMC index and command id: a reboot or power-off forgets them. */
    private static final Map<Integer, Map<String, JsonObject>> history = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        sha256 = AgentFleet.sha256Of(IMAGE);
        harness = CliHarness.start(Map.of("api.ramdisk_heartbeat_timeout", 1, "agent.liveness_flush_interval", 0.1));
        cli = harness.cli();
        agents = harness.agents(options(Duration.ofMillis(200)));
        slowAgents = harness.agents(options(Duration.ofHours(1)));
        binding = new BmcAgents(agents, null);
        slowBinding = new BmcAgents(slowAgents, null);
        fleet = harness.bmcs(new FleetOptions().count(3).eventListener(BaremetalCliLifecycleTest::onBmcEvent));
    }

    private static AgentFleetOptions options(Duration stepTime) {
        return AgentFleetOptions.defaults(harness.anvil().endpoint())
                .withMinHeartbeatInterval(Duration.ofMillis(100))
                .withPrepareImageTime(Duration.ofMillis(200))
                .withStepTime(stepTime)
                .withImageDownloadRetries(1, Duration.ofMillis(100)) // IPA retries a checksum mismatch too
                .withPxeRetryInterval(Duration.ofMillis(500))
                .withMaxBackoff(Duration.ofSeconds(1));
    }

    /**
     * Records the agent's command results before its machine's boot or power-off forgets them (the results are read
     * on the agents' context, where they are queued before the binding stops the agent), then binds as usual.
     */
    private static void onBmcEvent(SimulatedBmc bmc, String what) {
        BmcAgents b = bmc.index() == ABORT ? slowBinding : binding;
        record(bmc.index(), b.agentOf(bmc.index()));
        b.listener(bmc, what);
    }

    private static Future<Void> record(int index, SimulatedAgent agent) {
        return agent.commandResults().map(results -> {
            Map<String, JsonObject> seen = history.computeIfAbsent(index, i -> new LinkedHashMap<>());
            synchronized (seen) {
                results.forEach(c -> seen.put(c.getString("id"), c));
            }
            return null;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    // ---- the CLI ----

    private static JsonObject show(String node) throws Exception {
        return new JsonObject(cli.run("node", "show", node, "-f", "json"));
    }

    private static void waitUntil(String what, BooleanSupplier condition) {
        Conditions.await(harness.simVertx(), what, DEADLINE, Duration.ofMillis(100), condition);
    }

    /** An ipmi node with its simulated BMC's credentials and the image server's deploy ramdisk; returns it as created. */
    private static JsonObject create(String name, int bmcIndex, String... extra) throws Exception {
        SimulatedBmc bmc = fleet.bmc(bmcIndex);
        AgentFleet images = bmcIndex == ABORT ? slowAgents : agents;
        List<String> args = new ArrayList<>(List.of(
                "node",
                "create",
                "--driver",
                "ipmi",
                "--name",
                name,
                "--driver-info",
                "ipmi_address=" + bmc.host(),
                "--driver-info",
                "ipmi_port=" + bmc.port(),
                "--driver-info",
                "ipmi_username=admin",
                "--driver-info",
                "ipmi_password=password",
                "--driver-info",
                "deploy_kernel=" + images.imageUrl("ipa.kernel"),
                "--driver-info",
                "deploy_ramdisk=" + images.imageUrl("ipa.initramfs")));
        args.addAll(List.of(extra));
        args.addAll(List.of("-f", "json"));
        return new JsonObject(cli.run(args.toArray(String[]::new)));
    }

    /** Ports are created by inspection for the lifecycle node; the others get theirs by hand. */
    private static void addPort(String node, int bmcIndex) throws Exception {
        cli.run("port", "create", AgentFleet.macFor(bmcIndex), "--node", node, "-f", "json");
    }

    /** The steps the agent of BMC {@code index} finished through execute_clean_step, in order. */
    private static List<String> cleanStepsRun(int index) throws Exception {
        record(index, binding.agentOf(index))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        List<String> out = new ArrayList<>();
        Map<String, JsonObject> seen = history.getOrDefault(index, Map.of());
        synchronized (seen) {
            for (JsonObject c : seen.values()) {
                if ("execute_clean_step".equals(c.getString("command_name"))
                        && "SUCCEEDED".equals(c.getString("command_status"))) {
                    out.add(c.getJsonObject("command_result")
                            .getJsonObject("clean_step")
                            .getString("step"));
                }
            }
        }
        return out;
    }

    private static void forget(int index) {
        Map<String, JsonObject> seen = history.getOrDefault(index, Map.of());
        synchronized (seen) {
            seen.clear();
        }
    }

    private static void setImage(String node, String checksum) throws Exception {
        cli.run(
                "node",
                "set",
                node,
                "--instance-info",
                "image_source=" + agents.imageUrl(IMAGE),
                "--instance-info",
                "image_os_hash_algo=sha256",
                "--instance-info",
                "image_os_hash_value=" + checksum);
    }

    // ---- the scenarios ----

    @Test
    void enrolInspectCleanProvideDeployUndeploy() throws Exception {
        SimulatedBmc bmc = fleet.bmc(LIFECYCLE);
        SimulatedAgent agent = binding.agentOf(LIFECYCLE);
        SimulatedDisk disk = agent.disk();
        String mac = AgentFleet.macFor(LIFECYCLE);

        JsonObject created = create("cli-lifecycle", LIFECYCLE, "--inspect-interface", "agent");
        String uuid = created.getString("uuid");
        assertEquals("enroll", created.getString("provision_state"));
        assertEquals("ipxe", created.getString("boot_interface"), "ipmi's default boot interface");
        assertEquals("direct", created.getString("deploy_interface"), "ipmi's default deploy interface");
        assertEquals("agent", created.getString("inspect_interface"));

        cli.run("node", "manage", "cli-lifecycle", "--wait", "60");
        JsonObject n = show("cli-lifecycle");
        assertEquals("manageable", n.getString("provision_state"));
        assertEquals("power off", n.getString("power_state"), "manage read the BMC's power state");

        // inspection: no port yet, so the machine is known by no NIC and boots the fallback inspection ramdisk
        assertEquals(0, new JsonArray(cli.run("port", "list", "--node", uuid, "-f", "json")).size());
        cli.run("node", "inspect", "cli-lifecycle", "--wait", "60");
        n = show("cli-lifecycle");
        assertEquals("manageable", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        JsonObject props = n.getJsonObject("properties");
        assertNotNull(props.getValue("cpus"), props.encode());
        assertNotNull(props.getValue("memory_mb"), props.encode());
        assertNotNull(props.getValue("local_gb"), props.encode());
        assertNotNull(props.getValue("cpu_arch"), props.encode());
        assertTrue(Integer.parseInt(String.valueOf(props.getValue("cpus"))) > 0, props.encode());
        JsonArray ports = new JsonArray(cli.run("port", "list", "--node", uuid, "-f", "json"));
        assertEquals(1, ports.size(), ports.encode());
        assertEquals(mac, ports.getJsonObject(0).getString("Address").toLowerCase());
        assertEquals("power off", n.getString("power_state"), "inspection ends powered off");

        // manual cleaning: exactly the requested step, back to manageable
        forget(LIFECYCLE);
        int metadataErasures = disk.metadataErasures();
        harness.provision(
                "manageable",
                "clean",
                "cli-lifecycle",
                "--clean-steps",
                "[{\"interface\": \"deploy\", \"step\": \"erase_devices_express\"}]");
        n = show("cli-lifecycle");
        assertEquals("manageable", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(List.of("erase_devices_express"), cleanStepsRun(LIFECYCLE));
        // the simulated disks are SATA: express erasure falls back to metadata erasure, as IPA's does
        assertEquals(metadataErasures + 1, disk.metadataErasures(), "erase_devices_express erased the disk");

        // provide: automated cleaning through the agent, by priority (erase_devices_metadata 99, erase_devices 10)
        forget(LIFECYCLE);
        metadataErasures = disk.metadataErasures();
        int erasures = disk.erasures();
        harness.provision("available", "provide", "cli-lifecycle");
        n = show("cli-lifecycle");
        assertEquals("available", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertTrue(
                n.getValue("clean_step") == null
                        || n.getJsonObject("clean_step").isEmpty(),
                n.encode());
        assertEquals(List.of("erase_devices_metadata", "erase_devices"), cleanStepsRun(LIFECYCLE));
        assertEquals(metadataErasures + 1, disk.metadataErasures());
        assertEquals(erasures + 1, disk.erasures());
        assertEquals("power off", n.getString("power_state"), "cleaning ends powered off");

        // deploy: the agent writes the image (checksum verified), the BMC boots the disk
        setImage("cli-lifecycle", sha256);
        cli.run("node", "deploy", "cli-lifecycle", "--wait", "60");
        n = show("cli-lifecycle");
        assertEquals("active", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertEquals("power on", n.getString("power_state"));
        SimulatedDisk.Contents written = disk.contents();
        assertNotNull(written, "the image is on the disk");
        assertEquals(agents.imageUrl(IMAGE), written.url());
        assertEquals("sha256", written.hashAlgorithm());
        assertEquals(sha256, written.digest());
        assertEquals(PowerState.ON, bmc.power());
        assertEquals(BootDevice.DISK, bmc.bootDevice());
        assertFalse(
                n.getJsonObject("driver_internal_info").containsKey("agent_secret_token"),
                "the agent token is gone once deployed: " + n.getJsonObject("driver_internal_info"));
        waitUntil("the instance runs from its disk, no ramdisk", () -> !agent.running());

        // undeploy: automated cleaning again, then available
        forget(LIFECYCLE);
        harness.provision("available", "undeploy", "cli-lifecycle");
        n = show("cli-lifecycle");
        assertEquals("available", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(List.of("erase_devices_metadata", "erase_devices"), cleanStepsRun(LIFECYCLE));
        assertNull(disk.contents(), "cleaning erased the image");
        assertEquals("power off", n.getString("power_state"));
    }

    @Test
    void aWrongChecksumFailsTheDeployInWriteImage() throws Exception {
        create("cli-bad-checksum", BAD_CHECKSUM);
        addPort("cli-bad-checksum", BAD_CHECKSUM);
        cli.run("node", "manage", "cli-bad-checksum", "--wait", "60");
        harness.provision("available", "provide", "cli-bad-checksum");
        assertEquals("available", show("cli-bad-checksum").getString("provision_state"));

        String wrong = AgentFleet.sha256Of("other-1m.img");
        assertNotEquals(sha256, wrong);
        setImage("cli-bad-checksum", wrong);
        BaremetalCli.Result r = cli.call("node", "deploy", "cli-bad-checksum", "--wait", "60");
        assertNotEquals(0, r.exit(), () -> "the deploy failed, so does the CLI: " + r);
        JsonObject n = show("cli-bad-checksum");
        assertEquals("deploy failed", n.getString("provision_state"));
        String error = n.getString("last_error");
        assertNotNull(error);
        assertTrue(error.contains("write_image"), error);
        assertTrue(error.toLowerCase().contains("checksum"), error);
        assertNull(binding.agentOf(BAD_CHECKSUM).disk().contents(), "nothing was written: " + error);
    }

    @Test
    void abortInCleanWaitStopsTheRunningAgentStep() throws Exception {
        JsonObject created = create("cli-abort", ABORT);
        String uuid = created.getString("uuid");
        addPort("cli-abort", ABORT);
        SimulatedAgent agent = slowBinding.agentOf(ABORT);
        cli.run("node", "manage", "cli-abort", "--wait", "60");

        cli.run("node", "provide", "cli-abort");
        waitUntil("erase_devices_metadata running in the agent, the node in clean wait", () -> {
            try {
                JsonObject n = show("cli-abort");
                JsonObject step = n.getJsonObject("clean_step");
                return "clean wait".equals(n.getString("provision_state"))
                        && step != null
                        && "erase_devices_metadata".equals(step.getString("step"))
                        && get(agent.commandResults()).stream()
                                .anyMatch(c -> "execute_clean_step".equals(c.getString("command_name"))
                                        && "RUNNING".equals(c.getString("command_status")));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        cli.run("node", "abort", "cli-abort");
        waitUntil("clean failed", () -> {
            try {
                return "clean failed".equals(show("cli-abort").getString("provision_state"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        JsonObject n = show("cli-abort");
        assertEquals("By request, the clean operation was aborted for node " + uuid + ".", n.getString("last_error"));
        assertFalse(n.getBoolean("maintenance"), "an abort is not a failure");
    }
}
