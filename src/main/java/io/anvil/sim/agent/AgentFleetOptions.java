package io.anvil.sim.agent;

import java.time.Duration;

/**
 * How simulated agents behave. Defaults are ironic-python-agent's: a forced or error heartbeat waits at least
 * 5 s ({@code min_heartbeat_interval}); tests shrink the intervals.
 *
 * @param anvilUrl Anvil's API, e.g. {@code http://127.0.0.1:6385}
 * @param host address of the shared command-API server (agents' callback_url host)
 * @param port its port; 0 = ephemeral
 * @param minHeartbeatInterval IPA's min_heartbeat_interval: error retries wait it × U(1, 2), and a heartbeat forced by
 *     a finished command comes no sooner than this after the previous one
 * @param prepareImageTime how long {@code standby.prepare_image} runs before it SUCCEEDS
 * @param maxBackoff cap of the exponential lookup back-off
 */
public record AgentFleetOptions(
        String anvilUrl,
        String host,
        int port,
        Duration minHeartbeatInterval,
        Duration prepareImageTime,
        Duration maxBackoff) {
    public static AgentFleetOptions defaults(String anvilUrl) {
        return new AgentFleetOptions(
                anvilUrl, "127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(300));
    }

    public AgentFleetOptions withMinHeartbeatInterval(Duration d) {
        return new AgentFleetOptions(anvilUrl, host, port, d, prepareImageTime, maxBackoff);
    }

    public AgentFleetOptions withPrepareImageTime(Duration d) {
        return new AgentFleetOptions(anvilUrl, host, port, minHeartbeatInterval, d, maxBackoff);
    }

    public AgentFleetOptions withMaxBackoff(Duration d) {
        return new AgentFleetOptions(anvilUrl, host, port, minHeartbeatInterval, prepareImageTime, d);
    }

    public AgentFleetOptions withPort(int p) {
        return new AgentFleetOptions(anvilUrl, host, p, minHeartbeatInterval, prepareImageTime, maxBackoff);
    }
}
