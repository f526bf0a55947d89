package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.ApiCalls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code anvil serve --demo N} at a small N: the simulated nodes are enrolled, then the demo's driver, following the
 * event feed only, takes each through manage → inspect → provide and deploys the even ones, on their simulated BMCs
 * and agents.
 */
class DemoDriverTest {
    private static final int NODES = 2; // one deployed, one left available: every path of the tour, in one wave
    private AnvilInstance anvil;
    private Vertx simVertx;

    @BeforeEach
    void start() throws Exception {
        // agents at test speed (heartbeats every few hundred ms, short steps): the tour's logic is what is tested here;
        // SimFleetEnrolmentTest runs the fleet's default, human-speed timings
        anvil = AnvilInstance.start(Map.of("api.ramdisk_heartbeat_timeout", 1, "agent.liveness_flush_interval", 0.1));
        simVertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
        if (simVertx != null) {
            get(simVertx.close(), 60);
        }
    }

    private static <T> T get(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    @Test
    void theTourInspectsCleansAndDeploysTheSimulatedFleet() throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            get(
                    SimFleetEnrolment.start(
                            simVertx, anvil.port(), NODES, 0, o -> o.withMinHeartbeatInterval(Duration.ofMillis(100))
                                    .withPrepareImageTime(Duration.ofMillis(200))
                                    .withStepTime(Duration.ofMillis(200))
                                    .withPxeRetryInterval(Duration.ofMillis(500))
                                    .withMaxBackoff(Duration.ofSeconds(1))),
                    120);
        } finally {
            System.setOut(out);
        }
        DemoDriver tour = get(DemoDriver.start(simVertx, anvil.port(), NODES), 60);
        // the driver says when every node has had its tour: the test waits on that, not on a clock
        get(tour.finished(), 900);
        get(tour.close(), 30);
        try (ApiCalls api = new ApiCalls(anvil.port(), null)) {
            for (int i = 0; i < NODES; i++) {
                JsonObject n = api.expect(200, HttpMethod.GET, "/v1/nodes/sim-" + i, null);
                assertEquals(i % 2 == 0 ? "active" : "available", n.getString("provision_state"), n::encode);
                assertNull(n.getValue("last_error"), n::encode);
                assertNotNull(n.getJsonObject("properties").getValue("cpus"), "inspected: " + n.encode());
            }
        }
    }
}
