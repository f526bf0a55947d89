package io.anvil.bench;

import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishClientOptions;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench redfish [counts] [basePort] [window]}: a power-state sweep (GET of each BMC's ComputerSystem,
 * {@code PowerState}) over N simulated Redfish BMCs over HTTPS (default 1,000 and 10,000), the simulator in a child
 * JVM ({@code anvil sim redfish}) so the CPU of each side is measured apart.
 *
 * <p>Anvil's part ({@link #anvilSweeps}): Anvil's Redfish client, verifying against the simulator's CA, session
 * authentication, redfish_system_id given (as an operator sets it, so there is no Systems discovery):
 * <ol>
 *   <li>fresh client: per BMC a TLS handshake, the service root, a session login, the system GET;</li>
 *   <li>the same client again: sessions reused (one GET per BMC; a connection idle longer than
 *       {@code -Dbench.idle} seconds, default 30, is made again with a new TLS handshake).</li>
 * </ol>
 * In the same run, over the first count's simulator: Debian's python3-sushy (the library Ironic's {@code redfish}
 * driver uses) with {@code -Dbench.sushyThreads} Python threads (default 32) over {@code -Dbench.sushyBmcs} BMCs
 * (default 1,000; {@code src/test/resources/redfish/sushy_sweep.py}): a cold round (a new {@code sushy.Sushy} per
 * BMC: service root, session login, system) and a warm one (the cached objects refreshed: one GET each), as Ironic
 * drives sushy. Without python3-sushy its row says so. The simulator's start time and heap per BMC are
 * {@code scripts/bench redfishSim}. Prints a table and writes target/bench/redfish.json.
 */
public final class RedfishBench {
    private static final long TICK_NS = 10_000_000L; // CLK_TCK = 100
    /**
     * {@code -Dbench.idle=S}: the client's idle_connection_timeout. Long enough, the second sweep reuses each BMC's TLS
     * connection; at 10,000 BMCs the simulator's file limit (10,000 listeners + 10,000 connections) needs it short.
     */
    private static final long IDLE_S = Long.getLong("bench.idle", 30);

    private static final int SUSHY_BMCS = Integer.getInteger("bench.sushyBmcs", 1_000);
    private static final int SUSHY_THREADS = Integer.getInteger("bench.sushyThreads", 32);

    public static void main(String[] args) throws Exception {
        List<Integer> counts = args.length > 0
                ? Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList()
                : List.of(1_000, 10_000);
        int basePort = args.length > 1 ? Integer.parseInt(args[1]) : 21_000;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                "redfish bench: BMCs %s, base port %d, Anvil window %d, %d cores, loadavg %s%n",
                counts, basePort, window, cores, load);
        BenchTable table = new BenchTable(
                        "redfish",
                        "BMCs",
                        "client",
                        "ops",
                        "errors",
                        "wall s",
                        "ops/s",
                        "p50 ms",
                        "p99 ms",
                        "requests",
                        "client CPU s",
                        "sim CPU s")
                .meta(
                        "command",
                        "scripts/bench redfish "
                                + String.join(
                                        ",",
                                        counts.stream().map(String::valueOf).toList()) + " " + basePort + " " + window)
                .meta("cores", cores)
                .meta("loadavg_start", load)
                .meta("operation", "GET ComputerSystem (PowerState) over HTTPS, verified against the simulator's CA")
                .meta("sim", "anvil sim redfish in a child JVM (-Xmx2g), --system-ids ONE")
                .meta("anvil_window", window)
                .meta("idle_connection_timeout_s", IDLE_S);
        JsonArray sims = new JsonArray();
        for (int n : counts) {
            try (Sim sim = Sim.start(n, basePort)) {
                System.out.printf("%n== %d BMCs: simulator pid %d up%n", n, sim.process.pid());
                anvilSweeps(table, sim, window);
                if (n == counts.get(0)) {
                    sushySweeps(table, sim, Math.min(SUSHY_BMCS, n), SUSHY_THREADS);
                }
                sims.add(new JsonObject().put("bmcs", n).put("sim_output_tail", sim.stop()));
            }
        }
        String loadEnd = Files.readString(Path.of("/proc/loadavg")).trim();
        table.meta("loadavg_end", loadEnd).meta("simulators", sims);
        table.finish();
        System.exit(0);
    }

    // ------------------------------------------------------------------ Anvil's client

    static RedfishTarget target(Sim sim, int i) {
        return RedfishTarget.of("https://127.0.0.1:" + (sim.basePort + i), "admin", "password")
                .withVerifyCa(sim.caFile.toString())
                .withAuthType(RedfishTarget.AuthType.SESSION)
                .withSystemId("/redfish/v1/Systems/1");
    }

    /** Anvil's sweeps: a fresh client (handshake + login per BMC), then the same client (sessions reused). */
    static void anvilSweeps(BenchTable table, Sim sim, int window) throws Exception {
        Vertx vertx = Vertx.vertx();
        RedfishClient client = new RedfishClient(
                vertx,
                new RedfishClientOptions()
                        .setIdleConnectionTimeout(Duration.ofSeconds(1))
                        .setConnectionAttempts(3)
                        .setConnectionRetryInterval(Duration.ofMillis(200)));
        for (String kind : List.of("new sessions", "sessions reused")) {
            long cpu0 = jvmCpuNs();
            long sim0 = sim.cpuNs();
            long req0 = client.requests();
            Sweep r = sweep(vertx, client, sim, window, sim.count);
            long cpu = jvmCpuNs() - cpu0;
            long simCpu = sim.cpuNs() - sim0;
            JsonObject row = new JsonObject()
                    .put("BMCs", sim.count)
                    .put("client", "anvil (" + kind + ")")
                    .put("ops", sim.count)
                    .put("errors", r.errors)
                    .put("wall s", String.format("%.2f", r.wallNs / 1e9))
                    .put("ops/s", String.format("%.0f", sim.count / (r.wallNs / 1e9)))
                    .put("p50 ms", String.format("%.1f", r.percentile(0.50)))
                    .put("p99 ms", String.format("%.1f", r.percentile(0.99)))
                    .put("requests", client.requests() - req0)
                    .put("client CPU s", String.format("%.2f", cpu / 1e9))
                    .put("sim CPU s", String.format("%.2f", simCpu / 1e9));
            if (r.firstError != null) {
                row.put("first_error", r.firstError);
            }
            table.row(row);
            System.out.println("  " + row.encode());
        }
        get(client.close(), 60);
        get(vertx.close(), 60);
    }

    record Sweep(long wallNs, int errors, long[] latenciesNs, String firstError) {
        double percentile(double p) {
            long[] s = latenciesNs.clone();
            Arrays.sort(s);
            return s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) (p * s.length))] / 1e6;
        }
    }

    /** Every BMC once, at most {@code window} in flight, from one event-loop context (as a power sync runs). */
    static Sweep sweep(Vertx vertx, RedfishClient client, Sim sim, int window, int count) throws Exception {
        long[] lat = new long[count];
        AtomicInteger errors = new AtomicInteger();
        String[] firstError = {null};
        Promise<Void> done = Promise.promise();
        long t0 = System.nanoTime();
        vertx.runOnContext(v -> {
            AtomicInteger next = new AtomicInteger();
            AtomicInteger finished = new AtomicInteger();
            Runnable[] launch = new Runnable[1];
            launch[0] = () -> {
                int i = next.getAndIncrement();
                if (i >= count) {
                    return;
                }
                long s = System.nanoTime();
                client.system(target(sim, i)).onComplete(ar -> {
                    lat[i] = System.nanoTime() - s;
                    if (ar.failed() || ar.result().body().getString("PowerState") == null) {
                        if (errors.incrementAndGet() == 1) {
                            firstError[0] = ar.failed()
                                    ? ar.cause().getMessage()
                                    : ar.result().toString();
                        }
                    }
                    if (finished.incrementAndGet() == count) {
                        done.complete();
                    } else {
                        launch[0].run();
                    }
                });
            };
            for (int k = 0; k < Math.min(window, count); k++) {
                launch[0].run();
            }
        });
        get(done.future(), 600);
        return new Sweep(System.nanoTime() - t0, errors.get(), lat, firstError[0]);
    }

    // ------------------------------------------------------------------ sushy, as Ironic drives it

    /** The sushy sweep over BMCs 0…n-1 of {@code sim} with {@code threads} Python threads: a row per round. */
    static void sushySweeps(BenchTable table, Sim sim, int n, int threads) throws Exception {
        String python = pythonWithSushy();
        if (python == null) {
            JsonObject row = new JsonObject()
                    .put("BMCs", n)
                    .put("client", "sushy: python3-sushy not installed (apt-get install python3-sushy)");
            table.row(row);
            System.out.println("  " + row.encode());
            return;
        }
        Path dir = Files.createTempDirectory("redfish-bench");
        Path targets = dir.resolve("targets.txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append("https://127.0.0.1:").append(sim.basePort + i).append(" /redfish/v1/Systems/1\n");
        }
        Files.writeString(targets, lines);
        Path script = dir.resolve("sushy_sweep.py");
        try (InputStream in = RedfishBench.class.getResourceAsStream("/redfish/sushy_sweep.py")) {
            Files.copy(in, script);
        }
        ProcessBuilder pb = new ProcessBuilder(
                        python,
                        script.toString(),
                        "--targets",
                        targets.toString(),
                        "--ca",
                        sim.caFile.toString(),
                        "--threads",
                        Integer.toString(threads))
                .redirectErrorStream(true);
        // requests lets these override verify= (psf/requests#3829)
        pb.environment().remove("REQUESTS_CA_BUNDLE");
        pb.environment().remove("CURL_CA_BUNDLE");
        long cpu0 = sim.cpuNs();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.MINUTES);
        long simCpu = sim.cpuNs() - cpu0;
        boolean any = false;
        for (String line : out.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            any = true;
            JsonObject r = new JsonObject(line);
            JsonObject row = new JsonObject()
                    .put("BMCs", r.getInteger("bmcs"))
                    .put("client", "sushy " + r.getString("round") + " (" + r.getInteger("threads") + " threads)")
                    .put("ops", r.getInteger("bmcs"))
                    .put("errors", r.getInteger("errors"))
                    .put("wall s", String.format("%.2f", r.getDouble("seconds")))
                    .put("ops/s", String.format("%.0f", r.getDouble("rate")));
            if (r.getString("first_error") != null) {
                row.put("first_error", r.getString("first_error"));
            }
            table.row(row);
            System.out.println("  " + row.encode());
        }
        System.out.printf("  sushy rounds: simulator CPU %.2f s in all%n", simCpu / 1e9);
        if (!any) {
            throw new IllegalStateException("the sushy sweep printed no result:\n" + out);
        }
    }

    private static String pythonWithSushy() throws IOException, InterruptedException {
        // Debian's python3 first: another python3 on PATH (pyenv) does not see Debian's packages
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import sushy")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException e) {
                // try the next interpreter
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ CPU accounting

    static long jvmCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long[] procTimes(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    static <T> T get(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ the simulator child process

    static final class Sim implements AutoCloseable {
        final int count;
        final int basePort;
        final Path caFile;
        final Process process;
        final List<String> output;
        private boolean stopped;

        private Sim(int count, int basePort, Path caFile, Process process, List<String> output) {
            this.count = count;
            this.basePort = basePort;
            this.caFile = caFile;
            this.process = process;
            this.output = output;
        }

        static Sim start(int count, int basePort) throws Exception {
            String cp = "target/classes:"
                    + Files.readString(Path.of("target/classpath.txt")).trim();
            Path ca = Path.of("target/bench/redfish-sim-ca.pem").toAbsolutePath();
            Files.createDirectories(ca.getParent());
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx2g",
                    "-cp",
                    cp,
                    "io.anvil.cli.AnvilCommand",
                    "sim",
                    "redfish",
                    "--count",
                    String.valueOf(count),
                    "--base-port",
                    String.valueOf(basePort),
                    "--system-ids",
                    "ONE",
                    "--ca-out",
                    ca.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = new CompletableFuture<>();
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(
                    () -> {
                        try {
                            String line;
                            while ((line = r.readLine()) != null) {
                                lines.add(line);
                                if (line.contains("try  curl")) {
                                    ready.complete(line);
                                }
                            }
                        } catch (IOException e) {
                            // ended
                        }
                        ready.completeExceptionally(new IllegalStateException("simulator exited: " + lines));
                    },
                    "sim-output");
            reader.setDaemon(true);
            reader.start();
            ready.get(300, TimeUnit.SECONDS);
            return new Sim(count, basePort, ca, p, lines);
        }

        long cpuNs() throws IOException {
            long[] t = procTimes(String.valueOf(process.pid()));
            return (t[0] + t[1]) * TICK_NS;
        }

        String stop() throws Exception {
            if (stopped) {
                return "";
            }
            stopped = true;
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            synchronized (output) {
                return String.join(" | ", output.subList(Math.max(0, output.size() - 2), output.size()));
            }
        }

        @Override
        public void close() throws Exception {
            stop();
        }
    }
}
