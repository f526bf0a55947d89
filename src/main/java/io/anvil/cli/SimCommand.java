package io.anvil.cli;

import io.anvil.ipmi.codec.Privilege;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimUser;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code anvil sim}: simulators for interop tests and benchmarks. */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description = "Run simulators (BMC fleets).",
        subcommands = {SimCommand.Bmc.class, SimRedfishCommand.class})
public final class SimCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** {@code anvil sim bmc}: a fleet of simulated IPMI BMCs in the foreground until Ctrl-C. */
    @Command(
            name = "bmc",
            mixinStandardHelpOptions = true,
            description = "Run N simulated IPMI BMCs (RMCP+ suites 1/2/3/17, IPMI v1.5) until Ctrl-C.")
    static final class Bmc implements Callable<Integer> {

        @Mixin
        SimFleetOptions common = new SimFleetOptions();

        @Option(
                names = "--host",
                defaultValue = "127.0.0.1",
                description = "listen address, or the first one with --addresses (default: ${DEFAULT-VALUE})")
        String host;

        @Option(
                names = "--base-port",
                defaultValue = "9001",
                description =
                        "port of BMC 0; BMC i listens on base+i, or all on this port with --addresses; 0 = ephemeral (default: ${DEFAULT-VALUE})")
        int basePort;

        @Option(
                names = "--addresses",
                description =
                        "one loopback address per BMC (host, host+1, …) on a single port instead of one port per BMC")
        boolean addresses;

        @Option(
                names = "--user",
                defaultValue = "admin",
                description = "ADMINISTRATOR account name (default: ${DEFAULT-VALUE})")
        String user;

        @Option(
                names = "--password",
                defaultValue = "password",
                description = "its password (default: ${DEFAULT-VALUE})")
        String password;

        @Option(names = "--suites", split = ",", description = "RMCP+ cipher suites to offer (default: 1,2,3,17)")
        List<Integer> suites;

        @Option(
                names = "--max-sessions",
                defaultValue = "8",
                description = "session slots per BMC (default: ${DEFAULT-VALUE})")
        int maxSessions;

        @Option(
                names = "--power-delay-ms",
                defaultValue = "0",
                description = "delay before a power on/off shows (default: ${DEFAULT-VALUE})")
        long powerDelayMs;

        @Option(
                names = "--soft-off-delay-ms",
                defaultValue = "0",
                description = "time the OS takes to honour a soft off (default: ${DEFAULT-VALUE})")
        long softOffDelayMs;

        @Option(
                names = "--bmc-key",
                description = "BMC key K_g in hexadecimal for RMCP+ two-key logins (ipmitool -y,"
                        + " Ironic's ipmi_hex_kg_key); default none")
        String bmcKey;

        @Option(
                names = "--anvil-url",
                description = "also run a simulated ramdisk agent per BMC (docs/agent.md): when its BMC boots from PXE"
                        + " it fetches its iPXE script from this Anvil (/boot/<mac>.ipxe, MAC 52:54:00:xx:xx:xx from"
                        + " the index of its BMC) and runs the ramdisk the script boots")
        String anvilUrl;

        @Option(
                names = "--agent-step-ms",
                description = "how long each simulated clean/deploy step runs (default: the fleet's, 2000)")
        Long agentStepMs;

        @Option(
                names = "--agent-image-ms",
                description = "least time standby.prepare_image takes to write an image (default: the fleet's, 2000)")
        Long agentImageMs;

        @Option(
                names = "--agent-min-heartbeat-ms",
                description = "IPA's min_heartbeat_interval: forced and retried heartbeats wait at least this"
                        + " (default: IPA's, 5000)")
        Long agentMinHeartbeatMs;

        @Option(
                names = "--stats-interval-ms",
                defaultValue = "0",
                description = "print a line of agent totals (heartbeats, lookups, commands) this often; 0 = never"
                        + " (default: ${DEFAULT-VALUE})")
        long statsIntervalMs;

        @Override
        public Integer call() throws Exception {
            List<SimUser> users = new ArrayList<>();
            users.add(new SimUser(user, password, Privilege.ADMINISTRATOR));
            for (SimUser u : SimUser.DEFAULTS) {
                if (!u.name().equals(user)) {
                    users.add(u);
                }
            }
            FleetOptions options = new FleetOptions()
                    .count(common.count)
                    .host(host)
                    .basePort(basePort)
                    .addressMode(addresses ? FleetOptions.AddressMode.ADDRESSES : FleetOptions.AddressMode.PORTS)
                    .users(users)
                    .maxSessions(maxSessions)
                    .powerOnDelay(Duration.ofMillis(powerDelayMs))
                    .powerOffDelay(Duration.ofMillis(powerDelayMs))
                    .softOffDelay(Duration.ofMillis(softOffDelayMs));
            if (suites != null) {
                options.cipherSuites(new TreeSet<>(suites));
            }
            if (common.threads != null) {
                options.eventLoopThreads(common.threads);
            }
            if (bmcKey != null) {
                try {
                    options.bmcKey(java.util.HexFormat.of().parseHex(bmcKey));
                } catch (IllegalArgumentException e) {
                    System.err.println("anvil sim: --bmc-key must be 2 to 40 hexadecimal digits: " + e.getMessage());
                    return 2;
                }
            }
            if (common.events) {
                options.eventListener((bmc, what) ->
                        System.out.println("bmc " + bmc.index() + " (" + bmc.hostAndPort() + "): " + what));
            }
            Vertx vertx = Vertx.vertx();
            io.anvil.sim.agent.AgentFleet agents = null;
            if (anvilUrl != null) {
                io.anvil.sim.agent.AgentFleetOptions agentOptions =
                        io.anvil.sim.agent.AgentFleetOptions.defaults(anvilUrl).withPort(common.agentPort);
                if (agentStepMs != null) {
                    agentOptions = agentOptions.withStepTime(Duration.ofMillis(agentStepMs));
                }
                if (agentImageMs != null) {
                    agentOptions = agentOptions.withPrepareImageTime(Duration.ofMillis(agentImageMs));
                }
                if (agentMinHeartbeatMs != null) {
                    agentOptions = agentOptions.withMinHeartbeatInterval(Duration.ofMillis(agentMinHeartbeatMs));
                }
                agents = MainThread.waitFor(io.anvil.sim.agent.AgentFleet.start(vertx, agentOptions), 60);
                options.eventListener(new io.anvil.sim.agent.BmcAgents(agents, options.eventListener())::listener);
                System.out.println("anvil sim: ramdisk agents answer on " + agents.baseUrl()
                        + "/agents/<i>; a PXE boot asks " + anvilUrl + "/boot/<mac>.ipxe for its script");
                SimFleetEnrolment.printImageHint(
                        agents, io.anvil.sim.agent.AgentFleet.sha256Of(SimFleetEnrolment.EXAMPLE_IMAGE));
            }
            SimulatedFleet fleet = SimForeground.start("anvil sim", vertx, SimulatedFleet.start(vertx, options), 120);
            if (fleet == null) {
                return 1;
            }
            long heapMb = SimForeground.heapUsedMb();
            System.out.printf(
                    "anvil sim: %d BMC%s listening on udp %s (started in %d ms, heap used %d MiB, pid %d)%n",
                    fleet.size(),
                    fleet.size() == 1 ? "" : "s",
                    fleet.describe(),
                    fleet.startupTime().toMillis(),
                    heapMb,
                    ProcessHandle.current().pid());
            System.out.printf(
                    "anvil sim: users %s/%s (ADMINISTRATOR), operator/operpass (OPERATOR), user/userpass (USER);"
                            + " suites %s; IPMI v1.5 MD5/MD2/straight%n",
                    user, "<password>", new TreeSet<>(options.cipherSuites()));
            System.out.printf(
                    "anvil sim: try  ipmitool -I lanplus -C 17 -H %s -p %d -U %s -P '…' power status   (Ctrl-C stops)%n",
                    fleet.bmc(0).host(), fleet.bmc(0).port(), user);
            if (agents != null && statsIntervalMs > 0) {
                io.anvil.sim.agent.AgentFleet fleetOfAgents = agents;
                vertx.setPeriodic(statsIntervalMs, id -> System.out.println(agentStats(fleetOfAgents)));
            }
            SimForeground.runUntilStopped(
                    "anvil sim",
                    List.of(new SimForeground.Closing(fleet::close, 30), new SimForeground.Closing(vertx::close, 30)),
                    () -> "anvil sim: stopped; totals " + fleet.totals());
            return 0;
        }

        /** One line of agent totals, parsed by scripts/bench deploy (key=value pairs after "agent stats:"). */
        static String agentStats(io.anvil.sim.agent.AgentFleet agents) {
            long running = 0;
            long sent = 0;
            long accepted = 0;
            long lookups = 0;
            long scripts = 0;
            for (int i = 0; i < agents.size(); i++) {
                io.anvil.sim.agent.SimulatedAgent a = agents.agent(i);
                if (a == null) {
                    continue;
                }
                running += a.running() ? 1 : 0;
                sent += a.heartbeatsSent();
                accepted += a.heartbeatsAccepted();
                lookups += a.lookups();
                scripts += a.scriptFetches();
            }
            return "anvil sim: agent stats: t_ms=" + System.currentTimeMillis() + " agents=" + agents.size()
                    + " running=" + running + " heartbeats=" + sent + " accepted=" + accepted + " lookups=" + lookups
                    + " ipxe_scripts=" + scripts + " commands=" + agents.commandsReceived() + " command_polls="
                    + agents.commandPolls();
        }
    }
}
