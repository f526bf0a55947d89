package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLanplus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipmitool -I lanplus sol activate} against a simulated BMC (IPMI v2.0 §15, §24): ipmitool activates the SOL
 * payload, what it reads from a pipe comes back as the console's echo, a power-on prints the boot log, {@code ~B}
 * sends a break and {@code ~.} detaches (ipmitool then deactivates the payload and closes its session).
 */
class SolInteropTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static SimTestSupport.SimFleet fleet;
    private static String ipmitool;

    @BeforeAll
    static void start() {
        ipmitool = TestServices.requireTool("ipmitool");
        fleet = SimTestSupport.SimFleet.start(2);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @ParameterizedTest(name = "lanplus -C {0}: sol activate, echo, boot log, break, detach")
    @ValueSource(ints = {3, 17})
    void ipmitoolSolActivate(int suite) throws Exception {
        SimulatedBmc bmc = fleet.bmc(suite == 3 ? 0 : 1);
        await(bmc.power(PowerState.OFF));
        Process p = new ProcessBuilder(ipmitoolLanplus(ipmitool, bmc, suite, "admin", "password", "sol", "activate"))
                .redirectErrorStream(true)
                .start();
        Output out = new Output(p.getInputStream());
        try (OutputStream in = p.getOutputStream()) {
            // ipmitool's banner sits in stdout's buffer (a pipe): wait on the BMC instead
            await(bmc.when(c -> c.solActivations() >= 1));
            assertTrue(bmc.solActive());

            in.write("hello anvil\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            out.await(s -> s.contains("hello anvil"));

            await(bmc.power(PowerState.ON));
            out.await(s -> s.contains("Anvil simulated firmware, BMC " + bmc.index()) && s.contains("Booting from"));

            in.write("~B".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            await(bmc.when(c -> c.solBreaks() >= 1));

            in.write("\n~.".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(p.waitFor(T.toSeconds(), TimeUnit.SECONDS), () -> "ipmitool did not detach: " + out.text());
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out::text);
        await(bmc.when(c -> c.sessionsClosed() >= 1));
        assertFalse(bmc.solActive(), "ipmitool deactivates the payload on ~.");
        BmcCounters c = bmc.counters();
        assertEquals(1, c.solActivations(), c::toString);
        assertTrue(c.solCharsIn() >= "hello anvil\n".length(), c::toString);
        assertTrue(c.solCharsOut() > "hello anvil\n".length(), c::toString);
        assertEquals(0, c.internalErrors());
        await(bmc.power(PowerState.OFF));
    }

    /** Collects a process's output; waits on its content without sleeping. */
    static final class Output {
        private final StringBuilder text = new StringBuilder();
        private final List<Waiter> waiters = new ArrayList<>();

        private record Waiter(Predicate<String> condition, CompletableFuture<Void> done) {}

        Output(InputStream stream) {
            Thread reader = new Thread(
                    () -> {
                        byte[] buf = new byte[4096];
                        try {
                            for (int n; (n = stream.read(buf)) > 0; ) {
                                append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            append("<read failed: " + e + ">");
                        }
                    },
                    "sol-output");
            reader.setDaemon(true);
            reader.start();
        }

        private synchronized void append(String s) {
            text.append(s);
            String now = text.toString();
            waiters.removeIf(w -> w.condition.test(now) && w.done.complete(null));
        }

        synchronized String text() {
            return text.toString();
        }

        void await(Predicate<String> condition) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            synchronized (this) {
                if (condition.test(text.toString())) {
                    return;
                }
                waiters.add(new Waiter(condition, done));
            }
            try {
                done.get(T.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("expected output did not come; got:\n" + text(), e);
            }
        }
    }
}
