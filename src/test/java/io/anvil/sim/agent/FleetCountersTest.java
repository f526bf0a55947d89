package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The fleet's command counters that {@code anvil sim bmc --stats-interval-ms} prints and {@code scripts/bench deploy}
 * reports as "agent commands": a POST to a serving agent's command API counts as a command, a GET as a poll; a request
 * to a stopped agent (nothing listens: the connection is closed) counts as neither.
 */
class FleetCountersTest extends SimAgentTestSupport {

    @Test
    void commandsAndPollsThatReachAServingAgentAreCounted() {
        SimulatedAgent a = bootedAgent();
        long commands = fleet.commandsReceived();
        long polls = fleet.commandPolls();

        assertEquals(
                200, command(a, "clean.get_clean_steps", nodeParams(), true).status());
        last(a);
        assertEquals(commands + 1, fleet.commandsReceived());
        assertEquals(polls + 1, fleet.commandPolls());

        a.stop();
        waitUntil("agent stopped", () -> !a.serving());
        try {
            send("GET", a.callbackUrl() + "/v1/commands/?agent_token=" + token(a), null);
        } catch (AssertionError closed) {
            // the expected outcome: the connection is closed without an answer
        }
        assertEquals(commands + 1, fleet.commandsReceived());
        assertEquals(polls + 1, fleet.commandPolls(), "a stopped agent's API does not answer: nothing counted");
    }
}
