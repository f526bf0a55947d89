package io.anvil.sim.bmc;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Process and future helpers for the simulator tests (waits on processes and futures, never sleeps). */
final class SimTestSupport {

    private SimTestSupport() {}

    /** Simulated BMCs on their own Vert.x: what an interop class starts before all its tests and closes after. */
    static final class SimFleet implements AutoCloseable {
        private final io.vertx.core.Vertx vertx;
        private final SimulatedFleet fleet;

        private SimFleet(io.vertx.core.Vertx vertx, SimulatedFleet fleet) {
            this.vertx = vertx;
            this.fleet = fleet;
        }

        static SimFleet start(int count) {
            io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
            return new SimFleet(vertx, await(SimulatedFleet.start(vertx, new FleetOptions().count(count))));
        }

        SimulatedBmc bmc(int index) {
            return fleet.bmc(index);
        }

        List<SimulatedBmc> bmcs() {
            return fleet.bmcs();
        }

        @Override
        public void close() {
            await(fleet.close());
            await(vertx.close());
        }
    }

    record ProcResult(int exit, String output, List<String> command) {
        @Override
        public String toString() {
            return String.join(" ", command) + " → exit " + exit + "\n" + output;
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    /** The cause {@code f} fails with; an AssertionError if it succeeds or does not complete. */
    static Throwable awaitFailure(Future<?> f) {
        try {
            Object value = f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    /** Runs a command to completion (stdout and stderr merged), killing it after {@code timeout}. */
    static ProcResult run(Duration timeout, List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.getOutputStream().toString();
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to write
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<output unreadable: " + e + ">";
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new ProcResult(-1, "TIMEOUT after " + timeout + "\n" + out.getNow(""), command);
            }
            return new ProcResult(p.exitValue(), out.get(10, TimeUnit.SECONDS), command);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("running " + command + ": " + e, e);
        }
    }

    /** {@code ipmitool -I lanplus -C suite -H host -p port -U user -P password -N 1 -R 2 args…}. */
    static List<String> ipmitoolLanplus(
            String tool, SimulatedBmc bmc, int suite, String user, String password, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                tool,
                "-I",
                "lanplus",
                "-C",
                String.valueOf(suite),
                "-H",
                bmc.host(),
                "-p",
                String.valueOf(bmc.port()),
                "-U",
                user,
                "-P",
                password,
                "-N",
                "1",
                "-R",
                "2"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code ipmitool -I lan -A MD5 -H host -p port -U user -P password args…} (IPMI v1.5). */
    static List<String> ipmitoolLan(
            String tool, SimulatedBmc bmc, String authType, String user, String password, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                tool,
                "-I",
                "lan",
                "-A",
                authType,
                "-H",
                bmc.host(),
                "-p",
                String.valueOf(bmc.port()),
                "-U",
                user,
                "-P",
                password,
                "-N",
                "1",
                "-R",
                "2"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
