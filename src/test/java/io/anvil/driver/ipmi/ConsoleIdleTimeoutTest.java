package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.ConsoleTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code console.idle_timeout} (docs/console.md#the-stream): a viewer that sends nothing for the timeout is told
 * {@code idle_timeout} and closed with a close reason that says so; a viewer that keeps typing stays attached.
 */
class ConsoleIdleTimeoutTest extends AbstractIpmiApiTest {
    private static final Duration T = Duration.ofSeconds(30);
    /** Long enough that a typing viewer on a busy machine (a key every 300 ms) is never mistaken for an idle one. */
    private static final double IDLE_SECONDS = 2.0;

    @Override
    protected Map<String, Object> configOverrides() {
        return Map.of("console.idle_timeout", IDLE_SECONDS);
    }

    @Test
    void anIdleViewerIsClosedAnActiveOneIsNot() {
        SimulatedFleet fleet = fleet(new FleetOptions().count(1));
        SimulatedBmc bmc = fleet.bmc(0);
        String uuid = solNode(bmc);
        console(uuid, true);
        Conditions.await(vertx, "console held", T, Duration.ofMillis(20), () -> anvil.consoles()
                .get(uuid)
                .map(c -> c.connected())
                .orElse(false));
        try (ConsoleTestClient idle = await(ConsoleTestClient.connect(vertx, anvil.apiPort(), uuid));
                ConsoleTestClient active = await(ConsoleTestClient.connect(vertx, anvil.apiPort(), uuid))) {
            await(idle.control("attached"));
            await(active.control("attached"));
            // the active viewer types a key every 300 ms (well inside the 2 s timeout) on a Vert.x timer
            long typing = vertx.setPeriodic(300, id -> active.type("."));
            try {
                JsonObject told = await(idle.control("idle_timeout"));
                assertTrue(told.getString("message").contains("no input for 2.0 s"), told::encode);
                await(idle.closed());
                assertEquals((short) 1000, idle.closeStatus(), "close code");
                assertEquals("idle timeout: no input for 2.0 s", idle.closeReason());
                // two more whole timeouts of typing: the active viewer is still attached and still echoed
                int echoed = active.text().length();
                try {
                    Conditions.await(
                            vertx,
                            "two more timeouts of echoes",
                            T,
                            Duration.ofMillis(50),
                            () -> active.text().length() >= echoed + 7);
                } catch (AssertionError e) {
                    // say what the typing viewer saw: closed (and why), or attached without echoes
                    throw new AssertionError(
                            e.getMessage() + "; the typing viewer: closed=" + active.isClosed() + " ("
                                    + active.closeStatus() + " " + active.closeReason() + "), controls "
                                    + active.controls() + ", " + (active.text().length() - echoed)
                                    + " characters echoed since",
                            e);
                }
                assertFalse(active.isClosed(), "the typing viewer stays attached");
                assertTrue(active.controls().stream().noneMatch(c -> "idle_timeout".equals(c.getString("control"))));
            } finally {
                vertx.cancelTimer(typing);
            }
        }
    }
}
