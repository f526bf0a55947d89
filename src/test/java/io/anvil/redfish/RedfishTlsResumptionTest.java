package io.anvil.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.anvil.sim.redfish.TlsHandshakes;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.OnContext;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A BMC whose connection went idle is reached again over a resumed TLS session (a TLS 1.3 ticket, no certificate
 * signature or chain check), as a periodic power sync does when its interval is longer than the idle timeout; the
 * Redfish session is reused too. Resumption never bypasses the certificate check of another trust policy.
 */
class RedfishTlsResumptionTest {
    private static final Duration T = Duration.ofSeconds(30);
    private io.vertx.core.Vertx vertx;
    private RedfishFleet fleet;
    private RedfishClient client;

    @BeforeEach
    void start() {
        vertx = io.vertx.core.Vertx.vertx();
        fleet = Conditions.result(
                RedfishFleet.start(vertx, new RedfishFleetOptions().count(2).basePort(0)), T);
        client = new RedfishClient(
                vertx,
                new RedfishClientOptions()
                        .setIdleConnectionTimeout(Duration.ofSeconds(1))
                        .setConnectionAttempts(1));
    }

    @AfterEach
    void stop() {
        Conditions.result(client.close(), T);
        Conditions.result(fleet.close(), T);
        Conditions.result(vertx.close(), T);
    }

    private RedfishTarget target(SimulatedRedfishBmc bmc, String verifyCa) {
        return RedfishTarget.of(bmc.address(), "admin", "password")
                .withVerifyCa(verifyCa)
                .withSystemId(bmc.systemPath());
    }

    private String powerState(RedfishTarget t) {
        return Conditions.result(OnContext.of(vertx).call(() -> client.system(t)), T)
                .body()
                .getString("PowerState");
    }

    @Test
    void aConnectionOpenedAfterTheIdleTimeoutResumesTheTlsSessionAndKeepsTheRedfishSession() {
        SimulatedRedfishBmc bmc = fleet.bmc(0);
        RedfishTarget t = target(bmc, fleet.caFile().toString());
        assertNotNull(powerState(t));
        TlsHandshakes first = fleet.tlsHandshakes();
        assertEquals(new TlsHandshakes(1, 0), first, "one full handshake");
        Conditions.await(
                vertx, "the idle connection closed", T, Duration.ofMillis(50), () -> bmc.openConnections() == 0);

        assertNotNull(powerState(t));
        assertEquals(2, bmc.connections(), "a new connection");
        assertEquals(new TlsHandshakes(2, 1), fleet.tlsHandshakes(), "its handshake resumed the first session");
        assertEquals(1, bmc.logins(), "the Redfish session was reused");
    }

    @Test
    void aResumableSessionDoesNotLetAnotherTrustPolicySkipTheCertificateCheck() {
        SimulatedRedfishBmc bmc = fleet.bmc(1);
        assertNotNull(powerState(target(bmc, fleet.caFile().toString())));
        // the JVM's trust store does not know the simulator's CA: that policy fails whatever the other one cached
        ExecutionException e =
                org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> OnContext.of(vertx)
                        .call(() -> client.system(target(bmc, "true")))
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertInstanceOf(
                RedfishException.CertificateError.class,
                e.getCause(),
                e.getCause().toString());
        assertTrue(fleet.tlsHandshakes().resumed() == 0, "nothing resumed: " + fleet.tlsHandshakes());
    }
}
