package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A simulated BMC's PXE boot network-boots its machine's agent through the iPXE script, and the agent's
 * {@code standby.power_off} turns the machine off through the BMC.
 */
class BmcAgentsTest extends SimAgentTestSupport {

    @Test
    void aPxeBootRunsTheScriptsRamdiskAndPowerOffGoesThroughTheBmc() {
        BmcAgents binding = new BmcAgents(fleet, null);
        SimulatedFleet bmcs = await(SimulatedFleet.start(
                vertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0).eventListener(binding::listener)));
        try {
            SimulatedBmc bmc = bmcs.bmc(0);
            SimulatedAgent agent = binding.agentOf(0);
            String mac = agent.macs().get(0);
            String uuid = fakeIronic.enroll(mac);
            fakeIronic.scripts.put(
                    mac,
                    "#!ipxe\nkernel http://img/k ipa-api-url=" + fakeIronic.url() + " BOOTIF=" + mac
                            + " initrd=deploy_ramdisk\ninitrd http://img/r\nboot\n");
            await(bmc.bootFlags(BootFlags.forDevice(BootDevice.PXE, false, true)));
            await(bmc.power(PowerState.ON));
            waitUntil("the agent looked up", () -> uuid.equals(agent.nodeUuid()) && agent.heartbeatsAccepted() >= 1);
            assertEquals(fakeIronic.url(), agent.apiUrl());
            JsonObject inventory = agent.inventory();
            assertEquals("127.0.0.1", inventory.getString("bmc_address"));
            assertEquals("uefi", inventory.getJsonObject("boot").getString("current_boot_mode"));

            Resp off = command(agent, "standby.power_off", new JsonObject(), false);
            assertEquals("RUNNING", off.json().getString("command_status"), off.body());
            await(bmc.whenPower(PowerState.OFF));
            waitUntil("the ramdisk went down with the machine", () -> !agent.running());
        } finally {
            await(bmcs.close());
        }
    }
}
