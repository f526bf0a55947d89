package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code direct} deploy driven by simulated ramdisk agents (docs/agent.md): deploy → "wait call-back" → the
 * agent looks up and heartbeats → the conductor starts {@code standby.prepare_image} → the agent reports it
 * SUCCEEDED → boot from disk, reboot → active. Also: the agent's failure fails the deploy with its error; the seed's
 * starvation case end to end (a console re-takes the node's exclusive lock every 100 ms while the agent finishes);
 * and the whole loop over real IPMI with a simulated BMC whose PXE boot starts the agent.
 */
class AgentDeployTest extends AgentTestSupport {
    private AgentFleet agents;

    @Override
    protected Map<String, Object> extraConfig() {
        return FAST_AGENTS;
    }

    @BeforeAll
    void startAgents() {
        agents = startAgents(agentOptions(Duration.ofMillis(1000)));
    }

    /** An available direct-deploy node whose image (with its SHA-256) the agents' image server has; {uuid, mac}. */
    private String[] directNode(String image) {
        return directNode("available", agents.instanceInfoFor(image));
    }

    @Test
    void theAgentWritesTheImageAndTheNodeBecomesActive() {
        String[] n = directNode("ubuntu.qcow2");
        assertEquals(202, putProvision(n[0], "active").status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "active");
        agent.stop();
        assertEquals(
                List.of(
                        // deploying → wait (agent booting) → deploying (its steps fetched, write_image started)
                        // → wait (image writing) → deploying (written: the last steps) → active
                        "baremetal.node.provision_set.start",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.end"),
                eventTypes(n[0], "baremetal.node.provision_set."));
        JsonObject info = internal(n[0]);
        assertNull(info.getValue("agent_secret_token"), "wiped at the end of the deploy");
        assertNull(info.getValue("agent_url"));
        assertEquals("power on", node(n[0]).get("power_state"));
        assertTrue(agent.heartbeatsAccepted() >= 2, "first heartbeat started the command, a later one saw it done");
        assertEquals("ubuntu.qcow2", agent.disk().imageId(), "the agent downloaded and wrote the image");
        assertEquals(
                AgentFleet.sha256Of("ubuntu.qcow2"), agent.disk().contents().digest());
    }

    @Test
    void aFailedAgentCommandFailsTheDeployWithItsError() {
        String[] n = directNode("missing-fail.qcow2"); // the image server answers 404
        assertEquals(202, putProvision(n[0], "active").status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "deploy failed");
        agent.stop();
        String error = (String) node(n[0]).get("last_error");
        assertTrue(error.contains("Download of image missing-fail.qcow2 failed: Received status code 404"), error);
        assertEquals("power off", node(n[0]).get("power_state"));
        assertNull(internal(n[0]).getValue("agent_secret_token"), "powered off: token wiped");
    }

    /** A console: take the node (try-once), hold it 100 ms, release, take it again at once; retry every 100 ms. */
    private Future<Void> console(String uuid, AtomicBoolean stop, AtomicInteger grants) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return tasks().acquire(uuid, TaskOptions.exclusive("console").tryOnce())
                .transform(ar -> {
                    if (ar.succeeded()) {
                        grants.incrementAndGet();
                        return delay(100).compose(v -> ar.result().release());
                    }
                    return delay(100);
                })
                .compose(v -> console(uuid, stop, grants));
    }

    @Test
    void theAgentsContinuationIsNeverStarvedByAConsoleTakingTheLockEvery100ms() {
        String[] n = directNode("rhel.qcow2");
        assertEquals(202, putProvision(n[0], "active").status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        // the agent looked up and its first heartbeat started prepare_image (it runs 1 s); from here on every
        // continuation of the deploy contends with the console (a first heartbeat is try-once, as Ironic's, and is
        // not what this test is about)
        waitUntil(
                "agent heartbeating",
                () -> agent.heartbeatsAccepted() >= 1 && internal(n[0]).getString("agent_url") != null);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger grants = new AtomicInteger();
        Future<Void> loop = onLoop(() -> console(n[0], stop, grants));
        try {
            waitForState(n[0], "active");
            int atActive = grants.get();
            // counted, not timed: on a busy machine the console gets fewer turns, but it had the node during the deploy
            assertTrue(atActive >= 1, "the console was taking the node during the deploy: " + atActive);
            waitUntil("console keeps going after the deploy", () -> grants.get() >= atActive + 5);
        } finally {
            stop.set(true);
            await(loop);
            agent.stop();
        }
        assertEquals(
                List.of(
                        // deploying → wait (agent booting) → deploying (its steps fetched, write_image started)
                        // → wait (image writing) → deploying (written: the last steps) → active
                        "baremetal.node.provision_set.start",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.success",
                        "baremetal.node.provision_set.end"),
                eventTypes(n[0], "baremetal.node.provision_set."));
    }

    @Test
    void overIpmiAPxeBootStartsTheAgentAndTheNodeBootsFromDiskWhenActive() {
        SimulatedFleet bmcs = null;
        BmcAgents binding = new BmcAgents(agents, null);
        try {
            bmcs = await(SimulatedFleet.start(
                    vertx,
                    new FleetOptions().count(1).host("127.0.0.1").basePort(0).eventListener(binding::listener)));
            SimulatedBmc bmc = bmcs.bmc(0);
            SimulatedAgent agent = binding.agentOf(0);
            String uuid = simDirectNode(bmc, agent, "sim-direct", "no-console");
            assertEquals(202, putProvision(uuid, "active").status());
            waitForState(uuid, "active");
            assertEquals(PowerState.ON, bmc.power());
            assertEquals(BootDevice.DISK, bmc.bootDevice(), "the instance boots from disk");
            assertTrue(bmc.bootPersistent());
            waitUntil("the ramdisk is gone after the reboot to disk", () -> !agent.running());
            assertTrue(agent.lookups() >= 1);
            assertTrue(agent.scriptFetches() >= 1, "the PXE boot asked Anvil for its iPXE script");
            assertEquals("http://127.0.0.1:" + anvil.apiPort(), agent.apiUrl(), "ipa-api-url of the script");
            assertEquals("os.img", agent.disk().imageId(), "the disk it boots from holds the image");
        } finally {
            if (bmcs != null) {
                await(bmcs.close());
            }
        }
    }

    /** An available ipmi node with the direct deploy on {@code bmc}, network-booting {@code agent}; returns its uuid. */
    private String simDirectNode(SimulatedBmc bmc, SimulatedAgent agent, String name, String consoleInterface) {
        JsonObject body = new JsonObject()
                .put("driver", "ipmi")
                .put("name", name)
                .put("deploy_interface", "direct")
                .put("console_interface", consoleInterface)
                // the machine network-boots through Anvil's iPXE scripts (docs/boot.md)
                .put("boot_interface", "ipxe")
                .put("instance_info", agents.instanceInfoFor("os.img"))
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmc.port())
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                .put("deploy_kernel", agents.imageUrl("ipa.kernel"))
                                .put("deploy_ramdisk", agents.imageUrl("ipa.initramfs")));
        Resp created = http(HttpMethod.POST, "/v1/nodes", body);
        assertEquals(201, created.status(), created::toString);
        String uuid = created.json().getString("uuid");
        Resp port = http(
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("address", agent.macs().get(0)).put("node_uuid", uuid));
        assertEquals(201, port.status(), port::toString);
        sql("UPDATE nodes SET provision_state = 'available' WHERE uuid = ?", uuid);
        return uuid;
    }

    /**
     * The proof (docs/console.md): a full deploy over IPMI completes while the node's SOL console is open and
     * streaming to a viewer who types; the viewer sees the firmware's boot log and the agent's progress.
     */
    @Test
    void aDeployCompletesWhileItsConsoleStreams() {
        SimulatedFleet bmcs = null;
        BmcAgents binding = new BmcAgents(agents, null);
        io.vertx.core.http.WebSocketClient wsClient = vertx.createWebSocketClient();
        try {
            bmcs = await(SimulatedFleet.start(
                    vertx,
                    new FleetOptions().count(2).host("127.0.0.1").basePort(0).eventListener(binding::listener)));
            // BMC 1: its agent's MAC differs from the other IPMI test's (BMC 0)
            SimulatedBmc bmc = bmcs.bmc(1);
            SimulatedAgent agent = binding.agentOf(1);
            String uuid = simDirectNode(bmc, agent, "sim-console", "ipmi-sol");
            Resp enabled = http(
                    HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", true));
            assertEquals(202, enabled.status(), enabled::toString);
            waitUntil("SOL active", bmc::solActive);
            waitUntil(
                    "console held",
                    () -> anvil.consoles().get(uuid).map(c -> c.connected()).orElse(false));
            StringBuffer screen = new StringBuffer();
            io.vertx.core.http.WebSocket ws = await(wsClient.connect(new io.vertx.core.http.WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(anvil.apiPort())
                    .setURI("/v1/nodes/" + uuid + "/console")));
            ws.binaryMessageHandler(b -> screen.append(b.toString()));

            assertEquals(202, putProvision(uuid, "active").status());
            waitUntil("the agent's progress on the console", () -> screen.toString()
                    .contains("ironic-python-agent: "));
            await(ws.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer("uptime\r")));
            waitUntil("echo while deploying", () -> screen.toString().contains("uptime\r\n"));
            waitForState(uuid, "active");
            String text = screen.toString();
            assertTrue(text.contains("Anvil simulated firmware, BMC 1"), text);
            assertTrue(text.contains("Booting from PXE"), text);
            assertTrue(text.contains("reboot: Power down"), "the reboot to disk shows: " + text);
            assertTrue(bmc.solActive(), "the console stayed open through the deploy's power actions");
            assertEquals(1, bmc.counters().solActivations());
            ws.close();
        } finally {
            wsClient.close();
            if (bmcs != null) {
                await(bmcs.close());
            }
        }
    }
}
