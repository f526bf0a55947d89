package io.anvil.sim.redfish;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.SimulatedAgent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Binds one simulated agent ({@link AgentFleet#agentAt}, same index as the BMC, so both report the same hardware) to
 * each simulated Redfish BMC, reading only the BMC's public state, as {@code sim.agent.BmcAgents} does for IPMI:
 *
 * <ul>
 *   <li>a boot from {@code Cd} with an image inserted: the "firmware" fetches the image (a GET that must answer
 *       2xx; {@link RedfishFaults#mediaUnreachable()} or a failed fetch leaves the machine without an agent) and the
 *       agent starts with the kernel parameters taken from the image URL's query string ({@link #kernelParams},
 *       docs/redfish.md "Virtual-media boot");
 *   <li>a boot from {@code Pxe}: the agent network-boots through Anvil's iPXE scripts
 *       ({@link SimulatedAgent#pxeBoot()});
 *   <li>any other boot (the disk, BIOS setup) or a power-off: the agent stops.
 * </ul>
 *
 * The agent can power its machine off or reboot it through the BMC ({@code standby.power_off}, {@code run_image}).
 * Install {@link #listener} as the fleet's event listener before it starts.
 */
public final class RedfishAgents {
    private final AgentFleet agents;
    private final BiConsumer<SimulatedRedfishBmc, String> downstream;
    private final Map<Integer, Long> bootsSeen = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> bound = new ConcurrentHashMap<>();
    private final AtomicLong mediaBoots = new AtomicLong();
    private final AtomicLong mediaFailures = new AtomicLong();

    /** @param downstream the fleet's previous event listener (printing, …), or null */
    public RedfishAgents(AgentFleet agents, BiConsumer<SimulatedRedfishBmc, String> downstream) {
        this.agents = agents;
        this.downstream = downstream;
    }

    /** The agent of BMC {@code index} (MAC {@link Hardware#mac}). */
    public SimulatedAgent agentOf(int index) {
        return agents.agentAt(index, List.of(Hardware.mac(index)));
    }

    /** Virtual-media boots that started an agent. */
    public long mediaBoots() {
        return mediaBoots.get();
    }

    /** Virtual-media boots whose image could not be fetched. */
    public long mediaFailures() {
        return mediaFailures.get();
    }

    /** Runs on the BMC's context. */
    public void listener(SimulatedRedfishBmc bmc, String what) {
        if (downstream != null) {
            downstream.accept(bmc, what);
        }
        long boots = bmc.boots();
        Long seen = bootsSeen.put(bmc.index(), boots);
        SimulatedAgent agent = agentOf(bmc.index());
        if (bound.putIfAbsent(bmc.index(), true) == null) {
            bind(agent, bmc);
        }
        if (bmc.power() == SimulatedRedfishBmc.Power.Off) {
            if (agent.running()) {
                agent.stop();
            }
            return;
        }
        if (seen != null && boots == seen) {
            return;
        }
        String source = bmc.lastBootSource();
        String image = bmc.lastBootImage();
        long bootNumber = boots;
        if ("Cd".equals(source) && image != null) {
            agent.stop();
            if (bmc.faults().mediaUnreachable()) {
                mediaFailures.incrementAndGet();
                bmc.event("media boot failed: cannot fetch " + image);
                return;
            }
            bmc.fleet().fetch(image).onComplete(ar -> bmc.context().runOnContext(v -> {
                if (bmc.boots() != bootNumber) {
                    return; // rebooted meanwhile
                }
                if (ar.failed()) {
                    mediaFailures.incrementAndGet();
                    bmc.event("media boot failed: cannot fetch " + image + ": "
                            + ar.cause().getMessage());
                    return;
                }
                mediaBoots.incrementAndGet();
                agent.mediaBoot(kernelParams(image));
            }));
        } else if ("Pxe".equals(source)) {
            agent.pxeBoot();
        } else {
            agent.stop();
        }
    }

    /**
     * The kernel command line of a virtual-media image: its URL's query parameters, URL-decoded, in order
     * ({@code …/deploy.iso?ipa-api-url=https%3A%2F%2Fanvil%3A6385&BOOTIF=52:54:00:00:00:07}); a parameter without
     * {@code =} has the value "".
     */
    public static Map<String, String> kernelParams(String imageUrl) {
        Map<String, String> params = new LinkedHashMap<>();
        int q = imageUrl.indexOf('?');
        if (q < 0) {
            return params;
        }
        String query = imageUrl.substring(q + 1);
        int hash = query.indexOf('#');
        if (hash >= 0) {
            query = query.substring(0, hash);
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(
                    URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    /** What the agent can do to its machine: power it off or reboot it through the BMC. */
    private static void bind(SimulatedAgent agent, SimulatedRedfishBmc bmc) {
        agent.bindMachine(new SimulatedAgent.Machine() {
            @Override
            public void powerOff() {
                bmc.power(false);
            }

            @Override
            public void reboot() {
                bmc.onContext(() -> {
                    bmc.reset("ForceRestart");
                    return null;
                });
            }

            @Override
            public String bmcAddress() {
                return bmc.host();
            }

            @Override
            public boolean uefi() {
                return "UEFI".equals(bmc.bootMode());
            }
        });
    }
}
