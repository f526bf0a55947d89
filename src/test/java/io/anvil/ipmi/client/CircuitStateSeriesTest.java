package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.anvil.metrics.MicrometerMetrics;
import io.anvil.metrics.PrometheusText;
import io.anvil.sim.bmc.BmcFaults;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code anvil_ipmi_circuit_state} has a series only for the BMCs whose circuit is not closed (docs/operations.md#ipmi):
 * the BMCs a conductor talks to successfully — tens of thousands — add nothing to a scrape.
 */
class CircuitStateSeriesTest {
    private static final String SERIES = "anvil_ipmi_circuit_state";

    private final Vertx vertx = Vertx.vertx();
    private final MicrometerMetrics metrics = new MicrometerMetrics();
    private SimulatedFleet fleet;
    private IpmiClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            Await.result(client.close());
        }
        if (fleet != null) {
            Await.result(fleet.close());
        }
        metrics.close();
        Await.result(vertx.close());
    }

    @Test
    void aSeriesShowsWhileTheCircuitIsOpenAndGoesWhenItCloses() {
        fleet = Await.result(SimulatedFleet.start(vertx, new FleetOptions().count(2)));
        client = Await.result(IpmiClient.create(
                        vertx,
                        new IpmiClientOptions()
                                .setMinCommandSpacing(Duration.ZERO)
                                .setRetry(RetryPolicy.of(50, 0, 2))
                                .setCircuitFailureThreshold(1)
                                .setCircuitCooldown(Duration.ofMillis(300))))
                .withMetrics(metrics);
        SimulatedBmc healthy = fleet.bmc(0);
        SimulatedBmc failing = fleet.bmc(1);
        Await.result(client.getChassisStatus(SolClientTest.target(healthy, 3)));
        assertFalse(scrape().contains(SERIES + "{"), "a closed circuit has no series");

        failing.faults(BmcFaults.NONE.withDropRate(1.0));
        Await.failure(client.getChassisStatus(SolClientTest.target(failing, 3)), IpmiTimeoutException.class);
        PrometheusText open = PrometheusText.parse(scrape());
        assertEquals(1, open.value(SERIES, "bmc", failing.hostAndPort()), "open");
        assertFalse(scrape().contains(healthy.hostAndPort()), "still nothing for the healthy BMC");

        failing.faults(BmcFaults.NONE); // the BMC is back: after the cool-down a probe succeeds and closes the circuit
        Conditions.await(vertx, "the probe closed the circuit", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            client.getChassisStatus(SolClientTest.target(failing, 3)).otherwiseEmpty();
            return !scrape().contains(SERIES + "{");
        });
        Await.result(client.getChassisStatus(SolClientTest.target(failing, 3)));
    }

    private String scrape() {
        return metrics.scrape();
    }
}
