package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.events.FeedTestClient;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event feed (docs/events.md) over a real {@code direct} deploy with a simulated ramdisk agent: a WebSocket
 * subscriber sees every event of the node that the outbox stored — the heartbeat-driven transitions and each deploy
 * step's start — once and in seq order, while the agent's plain liveness heartbeats add only the liveness flush's
 * heartbeat events (at most one per node per agent.heartbeat_event_interval).
 */
class AgentDeployFeedTest extends AgentTestSupport {
    private static final String HEARTBEAT_EVENT = io.anvil.agent.LivenessCoalescer.HEARTBEAT_EVENT;

    private AgentFleet agents;

    @Override
    protected Map<String, Object> extraConfig() {
        return FAST_AGENTS;
    }

    @BeforeAll
    void startAgents() {
        agents = startAgents(agentOptions(Duration.ofMillis(500)));
    }

    @Test
    void aDirectDeployShowsEveryTransitionAndStepOnceInOrder() {
        String[] n = directNode("available", agents.instanceInfoFor("ubuntu.qcow2"));
        // resume after the node's set-up events: the subscriber gets exactly the deploy's
        long before = events(n[0]).stream()
                .mapToLong(e -> ((Number) e.get("seq")).longValue())
                .max()
                .orElse(0);
        FeedTestClient feed = FeedTestClient.connect(vertx, anvil.apiPort(), "node=" + n[0] + "&since=" + before);
        assertEquals(202, putProvision(n[0], "active").status());
        waitForState(n[0], "wait call-back");
        SimulatedAgent agent = agents.add(List.of(n[1]));
        agent.boot();
        waitForState(n[0], "active");
        List<Long> stored = events(n[0]).stream()
                .map(e -> ((Number) e.get("seq")).longValue())
                .filter(seq -> seq > before)
                .toList();
        Conditions.await(
                vertx,
                "the subscriber has every stored event of the node",
                FeedTestClient.WAIT,
                Duration.ofMillis(20),
                () -> feed.seqs().containsAll(stored));
        long heartbeats = agent.heartbeatsAccepted();
        agent.stop();
        assertEquals(stored, feed.seqs(), "once each, in seq order, nothing else");
        // the liveness flush's heartbeat events (docs/events.md#event-types) aside, the changes the heartbeats caused
        List<String> all =
                feed.events().stream().map(e -> e.getString("event_type")).toList();
        long heartbeatEvents = all.stream().filter(HEARTBEAT_EVENT::equals).count();
        // none when the liveness flush came after the deploy had retired the agent's token (its heartbeats are
        // then not recorded): AgentHeartbeatEventTest counts them exactly
        assertTrue(
                heartbeatEvents < heartbeats,
                "at most one heartbeat event per interval, not one per heartbeat: " + heartbeatEvents + " for "
                        + heartbeats);
        List<JsonObject> changes = feed.events().stream()
                .filter(e -> !HEARTBEAT_EVENT.equals(e.getString("event_type")))
                .toList();
        List<String> types =
                changes.stream().map(e -> e.getString("event_type")).toList();
        assertEquals("baremetal.node.provision_set.start", types.get(0), types::toString);
        assertEquals("baremetal.node.provision_set.end", types.get(types.size() - 1), types::toString);
        assertTrue(types.contains("baremetal.node.deploy_step.start"), types::toString);
        assertTrue(types.contains("baremetal.node.deploy_steps.end"), types::toString);
        assertTrue(heartbeats >= 2, "the agent heartbeated: " + heartbeats);
        assertTrue(
                types.stream()
                        .allMatch(t -> t.startsWith("baremetal.node.provision_set.")
                                || t.startsWith("baremetal.node.deploy_step")),
                "heartbeats add no other event of their own, only the changes they cause: " + types);
        JsonObject last = changes.get(changes.size() - 1);
        assertEquals("active", last.getJsonObject("payload").getString("provision_state"));
        assertEquals("deploying", last.getJsonObject("payload").getString("previous_provision_state"));
        feed.close();
    }
}
