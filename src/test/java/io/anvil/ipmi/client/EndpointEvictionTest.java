package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client keeps state only for the BMCs it talks to (docs/scale-out.md#memory): once a BMC's sessions were closed
 * for being idle ({@code ipmi.session_idle_close}) and nothing is pending, its endpoint is dropped, and the next call
 * to it makes a new one that works as before.
 */
class EndpointEvictionTest {
    private static Vertx vertx;
    private static SimulatedFleet fleet;
    private static IpmiClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = Await.result(SimulatedFleet.start(vertx, new FleetOptions().count(3)));
        client = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions()
                        .setMinCommandSpacing(Duration.ZERO)
                        .setSessionIdleClose(Duration.ofSeconds(2))));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            Await.result(client.close());
        }
        if (fleet != null) {
            Await.result(fleet.close());
        }
        if (vertx != null) {
            Await.result(vertx.close());
        }
    }

    @Test
    void idleBmcsAreForgottenAndComeBackOnTheNextCall() {
        // all at once, so none has been idle for long when they are counted
        Await.result(io.vertx.core.Future.all(fleet.bmcs().stream()
                .map(bmc -> client.getDeviceId(SolClientTest.target(bmc, 3)))
                .toList()));
        assertEquals(3, client.stats().bmcs().size(), "one endpoint per BMC in use");
        Conditions.await(
                vertx, "idle endpoints dropped", Duration.ofSeconds(30), Duration.ofMillis(50), () -> client.stats()
                        .bmcs()
                        .isEmpty());
        assertEquals(0, client.stats().sessionsOpen(), "their sessions were closed first");
        Await.result(client.getDeviceId(SolClientTest.target(fleet.bmc(0), 3)));
        assertEquals(1, client.stats().bmcs().size());
    }
}
