package io.anvil.sim.agent;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Binds one simulated agent to each simulated BMC, reading only the BMC's public state: whenever the BMC reports an
 * event, a new boot (its boot counter moved) stops the machine's agent and, when the BMC booted from PXE, network-boots
 * the machine ({@link SimulatedAgent#pxeBoot}: the iPXE script Anvil serves decides whether a ramdisk comes up); a
 * power-off stops it. The agent can power the machine off or reboot it through the BMC ({@code standby.power_off},
 * {@code run_image}). Install {@link #listener} as the fleet's event listener before the BMC fleet starts.
 */
public final class BmcAgents {
    private final AgentFleet agents;
    private final BiConsumer<SimulatedBmc, String> downstream;
    private final Map<Integer, SimulatedAgent> byBmc = new ConcurrentHashMap<>();
    private final Map<Integer, Long> bootsSeen = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> bound = new ConcurrentHashMap<>();

    /** @param downstream the fleet's previous event listener (printing, …), or null */
    public BmcAgents(AgentFleet agents, BiConsumer<SimulatedBmc, String> downstream) {
        this.agents = agents;
        this.downstream = downstream;
    }

    /** The agent of BMC {@code index}, created on first use with MAC {@link AgentFleet#macFor}(index). */
    public SimulatedAgent agentOf(int index) {
        return byBmc.computeIfAbsent(index, i -> agents.add(List.of(AgentFleet.macFor(i))));
    }

    /** Runs on the BMC's own thread, where its state may be read. */
    public void listener(SimulatedBmc bmc, String what) {
        if (downstream != null) {
            downstream.accept(bmc, what);
        }
        long boots = bmc.counters().boots();
        Long seen = bootsSeen.put(bmc.index(), boots);
        SimulatedAgent agent = agentOf(bmc.index());
        if (bound.putIfAbsent(bmc.index(), true) == null) {
            bind(agent, bmc);
        }
        if (bmc.power() == PowerState.OFF) {

            if (agent.running()) {
                agent.stop();
            }
            return;
        }
        if (seen == null || boots != seen) {
            boolean pxe = bmc.lastBoot()
                    .filter(BootFlags::valid)
                    .flatMap(BootFlags::device)
                    .map(d -> d == BootDevice.PXE)
                    .orElse(false);
            if (pxe) {
                agent.pxeBoot();
            } else {
                agent.stop();
            }
        }
    }

    /** What the agent can do to its machine: power it off or reboot it through the BMC. */
    private static void bind(SimulatedAgent agent, SimulatedBmc bmc) {
        agent.bindMachine(new SimulatedAgent.Machine() {
            @Override
            public void powerOff() {
                bmc.power(PowerState.OFF);
            }

            @Override
            public void reboot() {
                bmc.power(PowerState.OFF).compose(v -> bmc.power(PowerState.ON));
            }

            @Override
            public String bmcAddress() {
                return bmc.host();
            }

            @Override
            public boolean uefi() {
                return bmc.bootEfi();
            }

            @Override
            public void console(String line) {
                if (bmc.solActive()) {
                    bmc.consolePrint(line + "\r\n");
                }
            }
        });
    }
}
