package io.anvil.interop;

import static io.anvil.testsupport.CliHarness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.agent.RescuePasswordHash;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.BaremetalCli;
import io.anvil.testsupport.CliHarness;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code baremetal} CLI rescues and unrescues an {@code ipmi} node with the {@code agent} rescue interface
 * (docs/agent.md#rescue): {@code node rescue --rescue-password ... --wait} returns once the simulated rescue ramdisk
 * (started by the simulated BMC's PXE boot) took the hashed password; {@code node unrescue --wait} once the node
 * booted its disk. The password never shows in the CLI's output. Skipped where the CLI is missing, failed when
 * CI=true.
 */
class BaremetalCliRescueTest {
    private static final String PASSWORD = "Cli-Rescue-Pa55";

    private static CliHarness harness;
    private static AgentFleet agents;
    private static BmcAgents binding;
    private static SimulatedFleet fleet;
    private static BaremetalCli cli;

    @BeforeAll
    static void start() throws Exception {
        harness = CliHarness.start(Map.of("api.ramdisk_heartbeat_timeout", 1, "agent.liveness_flush_interval", 0.1));
        cli = harness.cli();
        agents = harness.agents(AgentFleetOptions.defaults(harness.anvil().endpoint())
                .withMinHeartbeatInterval(Duration.ofMillis(100))
                .withMaxBackoff(Duration.ofSeconds(1)));
        binding = new BmcAgents(agents, null);
        fleet = harness.bmcs(new FleetOptions().count(1).eventListener(binding::listener));
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static String run(String... args) {
        BaremetalCli.Result r = cli.call(args).ok();
        assertFalse(r.both().contains(PASSWORD), "the rescue password leaked: " + r.both());
        return r.out();
    }

    private static void sql(String statement, String uuid) throws Exception {
        var db = harness.anvil().database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, uuid);
            ps.executeUpdate();
        }
    }

    @Test
    void rescueAndUnrescueWithWait() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        SimulatedAgent agent = binding.agentOf(0);
        JsonObject created = new JsonObject(run(
                "node",
                "create",
                "--driver",
                "ipmi",
                "--name",
                "cli-rescue",
                "--boot-interface",
                "ipxe",
                "--deploy-interface",
                "direct",
                "--rescue-interface",
                "agent",
                "--driver-info",
                "ipmi_address=127.0.0.1",
                "--driver-info",
                "ipmi_port=" + bmc.port(),
                "--driver-info",
                "ipmi_username=admin",
                "--driver-info",
                "ipmi_password=password",
                "--driver-info",
                "rescue_kernel=http://images.example/rescue.kernel",
                "--driver-info",
                "rescue_ramdisk=http://images.example/rescue.initramfs",
                "-f",
                "json"));
        String uuid = created.getString("uuid");
        assertEquals("agent", created.getString("rescue_interface"));
        run("port", "create", agent.macs().get(0), "--node", uuid, "-f", "json");
        run(
                "node",
                "set",
                "cli-rescue",
                "--instance-info",
                "image_source=" + agents.imageUrl("os.img"),
                "--instance-info",
                "image_os_hash_algo=sha256",
                "--instance-info",
                "image_os_hash_value=" + AgentFleet.sha256Of("os.img"));
        // a deployed instance (the deploy itself is AgentDeployTest's): active, running from its disk
        sql("UPDATE nodes SET provision_state = 'active', power_state = 'power on' WHERE uuid = ?::uuid", uuid);
        get(bmc.power(PowerState.ON));

        long lookups = agent.lookups();
        run("node", "rescue", "cli-rescue", "--rescue-password", PASSWORD, "--wait", "120");
        JsonObject n = new JsonObject(run("node", "show", "cli-rescue", "-f", "json"));
        assertEquals("rescue", n.getString("provision_state"));
        assertNull(n.getValue("last_error"));
        assertFalse(n.getJsonObject("instance_info").containsKey("rescue_password"), n.encode());
        assertFalse(n.getJsonObject("instance_info").containsKey("hashed_rescue_password"), n.encode());
        assertTrue(agent.lookups() > lookups, "the rescue ramdisk booted and looked up");
        assertTrue(agent.rescuePasswordSentHashed());
        assertTrue(
                RescuePasswordHash.matches(PASSWORD, agent.rescuePasswordHash()),
                "the ramdisk got the crypt(3) hash of the password");
        assertEquals(PowerState.ON, bmc.power());

        harness.provision("active", "unrescue", "cli-rescue");
        n = new JsonObject(run("node", "show", "cli-rescue", "-f", "json"));
        assertEquals("active", n.getString("provision_state"));
        assertEquals("power on", n.getString("power_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(PowerState.ON, bmc.power());
        assertEquals(BootDevice.DISK, bmc.bootDevice());
        assertTrue(bmc.bootPersistent());
        assertFalse(agent.running(), "the instance runs from its disk, no ramdisk");
        assertEquals(agents.imageUrl("os.img"), n.getJsonObject("instance_info").getString("image_source"));
    }
}
