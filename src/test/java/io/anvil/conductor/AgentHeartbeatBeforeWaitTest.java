package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat an agent forces when a short command ends can arrive while the conductor still holds the node in
 * "cleaning", before it stored the "clean wait" that follows the command (docs/agent.md). Like Ironic's heartbeat,
 * which waits for the node's lock, it must be acted on once the wait state is stored, not dropped until the agent's
 * next regular heartbeat (90-180 s with IPA's defaults). Seen in {@code scripts/bench deploy} (docs/benchmarks.md).
 */
class AgentHeartbeatBeforeWaitTest extends AgentTestSupport {
    private static final String TOKEN = "t0k3n-0123456789abcdef0123456789abcdef";

    @Test
    void aHeartbeatTakenWhileTheNodeIsStillCleaningIsActedOnOnceCleanWaitIsStored() {
        String uuid = createNode("cleaning", null);
        sql("UPDATE nodes SET deploy_interface = 'direct', target_provision_state = 'available' WHERE uuid = ?", uuid);
        // nothing listens there: once the heartbeat is acted on, asking the agent for its steps fails the cleaning
        String url = "http://127.0.0.1:9";
        setAgent(uuid, TOKEN, url);
        long started = anvil.agent().metrics().continuationsStarted();

        // the conductor is mid-step: it holds the node, still "cleaning"
        Task held = await(tasks().acquire(uuid, TaskOptions.exclusive("clean step")));
        Resp r = heartbeat(uuid, "1.68", hb(url, TOKEN, "10.0.0"));
        assertEquals(202, r.status(), r::toString);
        // ... then stores the wait state its step ends in and lets the node go
        sql("UPDATE nodes SET provision_state = 'clean wait' WHERE uuid = ?", uuid);
        await(held.release());

        waitForState(uuid, "clean failed");
        String error = (String) node(uuid).get("last_error");
        assertTrue(error != null && error.contains("Failed to process the next clean step"), error);
        assertEquals(started + 1, anvil.agent().metrics().continuationsStarted());
    }

    @Test
    void aContinuationThatFindsNoFreeWorkerIsRetriedWithoutAnotherHeartbeat() {
        String uuid = createNode("clean wait", null);
        sql("UPDATE nodes SET deploy_interface = 'direct', target_provision_state = 'available' WHERE uuid = ?", uuid);
        String url = "http://127.0.0.1:9"; // acting on the heartbeat fails the cleaning: visible proof it ran
        setAgent(uuid, TOKEN, url);
        long started = anvil.agent().metrics().continuationsStarted();
        List<WorkerPool.Slot> slots = occupyWorkers(false);
        try {
            Resp r = heartbeat(uuid, "1.68", hb(url, TOKEN, "10.0.0"));
            assertEquals(202, r.status(), r::toString);
            waitUntil(
                    "a retry after no free worker",
                    () -> anvil.agent().metrics().continuationsStarted() >= started + 2);
            assertEquals("clean wait", node(uuid).get("provision_state"), "no worker, nothing done yet");
        } finally {
            releaseAll(slots);
        }
        // a worker is free again: the pending continuation runs on its own, no heartbeat needed
        waitForState(uuid, "clean failed");
    }
}
