package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.BmcFaults;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Anvil's SOL client against the simulated BMC (IPMI v2.0 §15, §24): activation in suites 3 and 17, echo, the boot
 * log at power-on, a break, packet loss recovered by retransmission, and a second console taking the payload over
 * (deactivate and activate again) while the first learns it has ended.
 */
class SolClientTest {

    private static Vertx vertx;
    private static SimulatedFleet fleet;
    private static IpmiClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = Await.result(SimulatedFleet.start(vertx, new FleetOptions().count(4)));
        client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions().setMinCommandSpacing(Duration.ZERO)));
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

    static BmcTarget target(SimulatedBmc bmc, int suite) {
        return BmcTarget.of(bmc.host(), bmc.port(), "admin", "password").withCipherSuite(suite);
    }

    /** Accumulates console output and completes waiters when it matches. */
    static final class Screen {
        private final StringBuilder text = new StringBuilder();
        private Promise<Void> waiting;
        private Predicate<String> condition;

        synchronized void append(byte[] b) {
            text.append(new String(b, StandardCharsets.UTF_8));
            if (waiting != null && condition.test(text.toString())) {
                waiting.tryComplete();
                waiting = null;
            }
        }

        void await(Predicate<String> c) {
            Promise<Void> p = Promise.promise();
            synchronized (this) {
                if (c.test(text.toString())) {
                    return;
                }
                condition = c;
                waiting = p;
            }
            try {
                Await.result(p.future());
            } catch (AssertionError e) {
                throw new AssertionError("console showed:\n" + text(), e);
            }
        }

        synchronized String text() {
            return text.toString();
        }
    }

    @ParameterizedTest(name = "suite {0}: echo, boot log, break, close")
    @ValueSource(ints = {3, 17})
    void echoBootLogAndBreak(int suite) {
        SimulatedBmc bmc = fleet.bmc(suite == 3 ? 0 : 1);
        Await.result(bmc.power(PowerState.OFF));
        Screen screen = new Screen();
        SolSession sol = Await.result(client.activateSol(target(bmc, suite), screen::append));
        assertTrue(bmc.solActive());
        Await.result(sol.write("uname -a\r".getBytes(StandardCharsets.US_ASCII)));
        screen.await(s -> s.contains("uname -a\r\n"));
        Await.result(bmc.power(PowerState.ON));
        screen.await(s -> s.contains("Anvil simulated firmware, BMC " + bmc.index()) && s.contains("Booting from"));
        Await.result(sol.sendBreak());
        Await.result(bmc.when(c -> c.solBreaks() >= 1));
        Await.result(sol.close());
        Await.result(sol.ended());
        assertFalse(bmc.solActive());
        Await.result(bmc.when(c -> c.sessionsClosed() >= 1));
        assertEquals(0, bmc.counters().internalErrors());
        assertTrue(sol.stats().charsReceived() > 9, sol.stats()::toString);
    }

    @ParameterizedTest(name = "{0} % loss each way: every character arrives once, in order")
    @ValueSource(ints = {20})
    void survivesPacketLoss(int percent) {
        SimulatedBmc bmc = fleet.bmc(2);
        Screen screen = new Screen();
        SolSession sol = Await.result(client.activateSol(target(bmc, 3), screen::append));
        bmc.faults(BmcFaults.NONE.withDropRate(percent / 100.0));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String line = "line " + i + "\r";
            expected.append(line).append('\n');
            Await.result(sol.write(line.getBytes(StandardCharsets.US_ASCII)));
        }
        screen.await(s -> s.contains(expected));
        bmc.faults(BmcFaults.NONE);
        assertEquals(expected.toString(), screen.text());
        Await.result(sol.close());
    }

    @ParameterizedTest(name = "take-over: a second console deactivates the first's payload (suite {0})")
    @ValueSource(ints = {3})
    void secondConsoleTakesOver(int suite) {
        SimulatedBmc bmc = fleet.bmc(3);
        Screen first = new Screen();
        SolSession one = Await.result(client.activateSol(target(bmc, suite), first::append));
        IpmiClient other = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            Screen second = new Screen();
            SolSession two = Await.result(other.activateSol(target(bmc, suite), second::append));
            Await.failure(one.ended(), IpmiProtocolException.class);
            Await.result(two.write("x\r".getBytes(StandardCharsets.US_ASCII)));
            second.await(s -> s.contains("x\r\n"));
            assertFalse(first.text().contains("x\r\n"), "only the new owner sees the output");
            assertEquals(2, bmc.counters().solActivations());
            Await.result(two.close());
        } finally {
            Await.result(other.close());
        }
    }
}
