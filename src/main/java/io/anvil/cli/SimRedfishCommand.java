package io.anvil.cli;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.redfish.RedfishAgents;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code anvil sim redfish}: a fleet of simulated Redfish BMCs in the foreground until Ctrl-C (docs/redfish.md). */
@Command(
        name = "redfish",
        mixinStandardHelpOptions = true,
        description = "Run N simulated Redfish BMCs (HTTPS with a CA made at start, or plain HTTP) until Ctrl-C.")
final class SimRedfishCommand implements Callable<Integer> {

    @Mixin
    SimFleetOptions common = new SimFleetOptions();

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "listen address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(
            names = "--base-port",
            defaultValue = "8443",
            description = "port of BMC 0; BMC i listens on base+i; 0 = ephemeral (default: ${DEFAULT-VALUE})")
    int basePort;

    @Option(
            names = "--tls",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "HTTPS (default) or, with --no-tls, plain HTTP")
    boolean tls;

    @Option(names = "--cert", description = "serve this certificate chain (PEM) instead of making a CA at start")
    Path cert;

    @Option(names = "--key", description = "the private key (PEM) of --cert")
    Path key;

    @Option(
            names = "--ca-out",
            description = "write the CA made at start to this file (clients verify with it: redfish_verify_ca)")
    Path caOut;

    @Option(names = "--user", defaultValue = "admin", description = "account name (default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password", defaultValue = "password", description = "its password (default: ${DEFAULT-VALUE})")
    String password;

    @Option(
            names = "--system-ids",
            defaultValue = "UUID",
            description = "UUID (/redfish/v1/Systems/<uuid from the index>) or ONE (/redfish/v1/Systems/1)"
                    + " (default: ${DEFAULT-VALUE})")
    RedfishFleetOptions.SystemIds systemIds;

    @Option(
            names = "--session-timeout-s",
            defaultValue = "1800",
            description = "idle seconds before a session expires (default: ${DEFAULT-VALUE})")
    long sessionTimeoutS;

    @Option(
            names = "--power-delay-ms",
            defaultValue = "0",
            description = "time a power transition takes (default: ${DEFAULT-VALUE})")
    long powerDelayMs;

    @Option(
            names = "--task-ms",
            defaultValue = "2000",
            description = "time a firmware update task takes once its image was fetched (default: ${DEFAULT-VALUE})")
    long taskMs;

    @Option(
            names = "--anvil-url",
            description = "also run a simulated ramdisk agent per BMC: a boot from virtual media starts it with the"
                    + " image URL's query parameters as kernel parameters (ipa-api-url=…), a PXE boot fetches"
                    + " its iPXE script from this Anvil")
    String anvilUrl;

    @Override
    public Integer call() throws Exception {
        int loops = common.eventLoops();
        RedfishFleetOptions options = new RedfishFleetOptions()
                .count(common.count)
                .host(host)
                .basePort(basePort)
                .tls(tls)
                .user(user)
                .password(password)
                .systemIds(systemIds)
                .sessionTimeout(Duration.ofSeconds(sessionTimeoutS))
                .powerDelay(Duration.ofMillis(powerDelayMs))
                .taskDuration(Duration.ofMillis(taskMs))
                .eventLoops(loops);
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                System.err.println("anvil sim redfish: --cert and --key go together");
                return 2;
            }
            options.certificate(cert, key);
        }
        if (common.events) {
            options.eventListener((bmc, what) ->
                    System.out.println("redfish bmc " + bmc.index() + " (" + bmc.address() + "): " + what));
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        AgentFleet agents = null;
        if (anvilUrl != null) {
            agents = MainThread.waitFor(
                    AgentFleet.start(vertx, AgentFleetOptions.defaults(anvilUrl).withPort(common.agentPort)), 60);
            options.eventListener(new RedfishAgents(agents, options.eventListener())::listener);
            System.out.println("anvil sim redfish: ramdisk agents answer on " + agents.baseUrl() + "/agents/<i>");
        }
        RedfishFleet fleet = SimForeground.start("anvil sim redfish", vertx, RedfishFleet.start(vertx, options), 600);
        if (fleet == null) {
            return 1;
        }
        if (caOut != null && fleet.caPem() != null) {
            Files.writeString(caOut, fleet.caPem());
        }
        long heapMb = SimForeground.heapUsedMb();
        SimulatedRedfishBmc first = fleet.bmc(0);
        System.out.printf(
                "anvil sim redfish: %d BMC%s on %s (started in %d ms, heap used %d MiB, pid %d)%n",
                fleet.size(),
                fleet.size() == 1 ? "" : "s",
                fleet.describe(),
                fleet.startupTime().toMillis(),
                heapMb,
                ProcessHandle.current().pid());
        System.out.printf(
                "anvil sim redfish: user %s; systems %s (BMC 0: %s%s)%n",
                user,
                systemIds == RedfishFleetOptions.SystemIds.ONE ? "/redfish/v1/Systems/1" : "/redfish/v1/Systems/<uuid>",
                first.address(),
                first.systemPath());
        if (fleet.tls()) {
            Path ca = caOut != null ? caOut : fleet.caFile();
            System.out.println(
                    ca != null
                            ? "anvil sim redfish: CA certificate " + ca + " (redfish_verify_ca=" + ca + ")"
                            : "anvil sim redfish: serving " + cert);
        }
        System.out.printf(
                "anvil sim redfish: try  curl -s%s -u %s:… %s/redfish/v1/Systems   (Ctrl-C stops)%n",
                fleet.tls() ? " --cacert " + (caOut != null ? caOut : fleet.caFile()) : "", user, first.address());
        List<SimForeground.Closing> closings = new ArrayList<>();
        closings.add(new SimForeground.Closing(fleet::close, 60));
        if (agents != null) {
            closings.add(new SimForeground.Closing(agents::close, 30));
        }
        closings.add(new SimForeground.Closing(vertx::close, 30));
        SimForeground.runUntilStopped(
                "anvil sim redfish",
                closings,
                () -> "anvil sim redfish: stopped; " + fleet.totalRequests() + " requests answered");
        return 0;
    }
}
