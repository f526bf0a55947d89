package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.SimulatedAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ironic scenario 15 (docs/architecture.md#ironic-scenarios) with short timeouts: a node in "wait call-back" whose agent keeps heartbeating (its
 * command still running) never times out, because each heartbeat's liveness resets the wait clock; once the agent
 * falls silent the node fails with Ironic's message.
 */
class AgentTimeoutTest extends AgentTestSupport {
    private static final double TIMEOUT_S = 3;

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of(
                "conductor.deploy_callback_timeout",
                TIMEOUT_S,
                "conductor.check_provision_state_interval",
                0.2,
                "api.ramdisk_heartbeat_timeout",
                1,
                "agent.liveness_flush_interval",
                0.1,
                // the clock moves at least every 0.2 s (the production 10 s would be longer than this test's timeout)
                "agent.wait_clock_resolution",
                0.2);
    }

    @Test
    void heartbeatsKeepAWaitingNodeAliveAndSilenceFailsIt() {
        AgentFleet agents = await(AgentFleet.start(
                vertx,
                AgentFleetOptions.defaults("http://127.0.0.1:" + anvil.apiPort())
                        .withMinHeartbeatInterval(Duration.ofMillis(100))
                        .withPrepareImageTime(Duration.ofHours(1)))); // the image never finishes writing
        try {
            String[] n = nodeWithPort("available", null);
            sql(
                    "UPDATE nodes SET deploy_interface = 'direct', instance_info = ?::jsonb WHERE uuid = ?",
                    agents.instanceInfoFor("big.img").encode(),
                    n[0]);
            assertEquals(202, putProvision(n[0], "active").status());
            waitForState(n[0], "wait call-back");
            SimulatedAgent agent = agents.add(List.of(n[1]));
            agent.boot();
            long start = System.nanoTime();
            // alive for three timeouts and more than a dozen heartbeats
            waitUntil(
                    "three timeouts of heartbeats",
                    () -> (agent.heartbeatsAccepted() >= 20 && System.nanoTime() - start > (long) (3 * TIMEOUT_S * 1e9))
                            || !"wait call-back".equals(node(n[0]).get("provision_state")),
                    Duration.ofSeconds(120));
            assertEquals(
                    "wait call-back",
                    node(n[0]).get("provision_state"),
                    () -> "heartbeats reset the clock; agent " + agent.heartbeatsAccepted() + " accepted, "
                            + agent.lookups() + " lookups, last status " + agent.lastHeartbeatStatus() + ", last error "
                            + agent.lastError() + "; " + anvil.agent().metrics());

            // silence, not stop: a continuation still in flight must find the agent answering (its command still
            // running), so the only way out of "wait call-back" is the timeout under test
            agent.silence();
            waitUntil("silence times the node out", () -> "deploy failed"
                    .equals(node(n[0]).get("provision_state")));
            assertEquals(
                    "Timeout reached while waiting for callback for node " + n[0],
                    node(n[0]).get("last_error"));
            assertTrue(System.nanoTime() - start > (long) (3 * TIMEOUT_S * 1e9), "only after the agent went quiet");
        } finally {
            await(agents.close());
        }
    }
}
