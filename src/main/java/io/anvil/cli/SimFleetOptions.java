package io.anvil.cli;

import picocli.CommandLine.Option;

/** The options every simulated fleet takes ({@code anvil sim bmc}, {@code anvil sim redfish}): a picocli mixin. */
final class SimFleetOptions {
    @Option(names = "--count", defaultValue = "1", description = "number of BMCs (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--threads", description = "event-loop threads (default: min(2, cores))")
    Integer threads;

    @Option(
            names = "--agent-port",
            defaultValue = "0",
            description =
                    "TCP port of the agents' command API and image server; 0 = ephemeral (default: ${DEFAULT-VALUE})")
    int agentPort;

    @Option(
            names = {"-v", "--events"},
            description = "print every event of the simulated BMCs (power, boot, media, sessions)")
    boolean events;

    /** The event loops to run: {@code --threads}, or min(2, cores). */
    int eventLoops() {
        return threads != null ? threads : Math.min(2, Runtime.getRuntime().availableProcessors());
    }
}
