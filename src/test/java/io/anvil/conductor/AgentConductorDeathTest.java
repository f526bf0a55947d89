package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.testsupport.AnvilCluster;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Ironic scenario 18 (docs/architecture.md#ironic-scenarios): any conductor takes any node's heartbeat (they share PostgreSQL and Redis). A node in
 * "wait call-back" whose agent talked to conductor A is finished by conductor B once A died: the agent's next
 * heartbeat (its load balancer now sends it to B) carries the continuation.
 */
class AgentConductorDeathTest {

    @Test
    void aNodeWhoseConductorDiedIsContinuedByTheSurvivorOnItsNextHeartbeat() throws Exception {
        Map<String, Object> cfg = Map.of("api.ramdisk_heartbeat_timeout", 1, "agent.liveness_flush_interval", 0.1);
        Vertx vertx = Vertx.vertx();
        try (AnvilCluster cluster = AnvilCluster.start(cfg, "agent-a", "agent-b");
                Connection jdbc = cluster.jdbc()) {
            AnvilCluster.Member a = cluster.member("agent-a");
            AnvilCluster.Member b = cluster.member("agent-b");
            String uuid =
                    MultiConductorFixture.insertNode(jdbc, UUID.randomUUID().toString(), "wait call-back", "");
            String mac = AgentTestSupport.randomMac();
            // started first: its image server serves the image the node deploys
            AgentFleet agents = AnvilCluster.get(AgentFleet.start(
                    vertx,
                    AgentFleetOptions.defaults("http://127.0.0.1:" + a.port())
                            .withMinHeartbeatInterval(Duration.ofMillis(100))
                            .withPrepareImageTime(Duration.ofSeconds(2))
                            .withMaxBackoff(Duration.ofSeconds(1))));
            MultiConductorFixture.exec(
                    jdbc,
                    "UPDATE nodes SET deploy_interface = 'direct', instance_info = ?::jsonb WHERE uuid = ?::uuid",
                    agents.instanceInfoFor("os.img").encode(),
                    uuid);
            MultiConductorFixture.exec(
                    jdbc,
                    "INSERT INTO ports (uuid, address, node_id) SELECT gen_random_uuid(), ?, id FROM nodes"
                            + " WHERE uuid = ?::uuid",
                    mac,
                    uuid);
            try {
                SimulatedAgent agent = agents.add(List.of(mac));
                agent.boot();
                // A issued the token and its continuation started prepare_image; then A is idle (no reservation)
                cluster.await(
                        "A continued the node once",
                        () -> a.anvil().agent().metrics().continuationsStarted() >= 1
                                && a.anvil().agent().activeContinuations() == 0
                                && MultiConductorFixture.column(jdbc, uuid, "reservation") == null);
                assertEquals("wait call-back", MultiConductorFixture.column(jdbc, uuid, "provision_state"));
                a.kill();
                agents.anvilUrl("http://127.0.0.1:" + b.port());
                cluster.await("B finished the deploy", () -> "active"
                        .equals(MultiConductorFixture.column(jdbc, uuid, "provision_state")));
                assertTrue(b.anvil().agent().metrics().continuationsStarted() >= 1, "B did the continuation");
                agent.stop();
            } finally {
                AnvilCluster.get(agents.close());
            }
        } finally {
            AnvilCluster.get(vertx.close());
        }
    }
}
