package io.anvil.bench;

import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishClientOptions;
import io.anvil.redfish.RedfishTarget;
import io.anvil.sim.redfish.RedfishTls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * {@code scripts/bench redfish [counts] [basePort] [window]}: a power-state sweep (GET of each BMC's ComputerSystem,
 * {@code PowerState}) over N simulated Redfish BMCs over HTTPS (default 1,000 and 10,000), verified against the
 * simulator's CA, in one table.
 *
 * <p>The simulator ({@code anvil sim redfish}) runs in child JVMs, so this JVM's CPU time is the client's alone and
 * the simulator's is read from /proc. Each child serves at most {@code -Dbench.simShard} BMCs (default 5,000) on its
 * own loopback address (127.0.1.1, 127.0.1.2, …, not 127.0.0.1 where other programs take ports), ports basePort…:
 * a BMC costs the simulator a listening socket and a kept connection, and 10,000 of each do not fit under a
 * 20,000-file limit; the default ports 26000-30999 stay below Linux's ephemeral range (32768-60999) that the
 * client's connections use. The children share one CA and
 * certificate (made here, valid for those addresses). Both sides are warmed up first (JIT, {@link #warmUp}).
 *
 * <p>Anvil's rows: its Redfish client, session authentication, redfish_system_id given (as an operator sets it, so
 * there is no Systems discovery), at most {@code window} BMCs in flight, started from one event-loop context as the
 * power sync starts them:
 * <ol>
 *   <li>cold: a new client, so per BMC a TLS handshake, the service root, a session login and the GET;</li>
 *   <li>warm: the same client again: one GET per BMC over the kept connection and session
 *       ({@code -Dbench.idle} seconds of idle_connection_timeout, default 120, keep them);</li>
 *   <li>sync after idle: a periodic power sync whose interval is longer than the idle timeout: a client with
 *       {@code -Dbench.syncIdle} seconds of idle timeout (default 3) sweeps once, waits until its connections closed,
 *       and sweeps again (recorded): a new connection per BMC, its TLS session resumed, the Redfish session kept.</li>
 * </ol>
 * sushy's rows, over the first count's first {@code -Dbench.sushyBmcs} BMCs (default 1,000; 0 skips them): Debian's
 * python3-sushy (the library Ironic's {@code redfish} driver uses) with {@code -Dbench.sushyThreads} Python threads
 * (default 32; {@code src/test/resources/redfish/sushy_sweep.py}), a cold round (a new {@code sushy.Sushy} per BMC:
 * service root, session login, system) and a warm one (the cached objects refreshed: one GET each, as Ironic's
 * session cache keeps them; sushy closes each connection, so each is a new TLS handshake). Without python3-sushy its
 * row says so. {@code -Dbench.chainCache=N} sets the client's verified chain cache (0: off; docs/redfish.md#client),
 * {@code -Dbench.warmUpColdSweeps} and {@code -Dbench.warmUpMaxRounds} the warm-up ({@link #warmUp}); each measured
 * row also counts the chains validated and remembered. Prints the table and writes target/bench/redfish.json. The simulator's start time and heap per BMC
 * are {@code scripts/bench redfishSim}.
 */
public final class RedfishBench {
    private static final long IDLE_S = Long.getLong("bench.idle", 120);
    /** The idle timeout of the client whose connections close between two sweeps (a periodic sync's case). */
    private static final long SYNC_IDLE_S = Long.getLong("bench.syncIdle", 3);

    private static final int SUSHY_BMCS = Integer.getInteger("bench.sushyBmcs", 1_000);
    private static final int SUSHY_THREADS = Integer.getInteger("bench.sushyThreads", 32);
    private static final int SHARD = Integer.getInteger("bench.simShard", 5_000);
    private static final int WARM_UP = 500;
    private static final int WARM_UP_ROUNDS = 3;
    /** Cold sweeps (a new client each) per warm-up round; see {@link #warmUp}. */
    private static final int WARM_UP_COLD_SWEEPS = Integer.getInteger("bench.warmUpColdSweeps", 4);
    /** The client's verified chain cache (RedfishClientOptions#setVerifiedChainCacheSize; 0: off), default its own. */
    private static final Integer CHAIN_CACHE = Integer.getInteger("bench.chainCache");

    private static final int WARM_UP_MAX_ROUNDS = Integer.getInteger("bench.warmUpMaxRounds", 10);
    private static final double JIT_QUIET = 0.05;

    public static void main(String[] args) throws Exception {
        List<Integer> counts = args.length > 0
                ? Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList()
                : List.of(1_000, 10_000);
        int basePort = args.length > 1 ? Integer.parseInt(args[1]) : 26_000;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int cores = Runtime.getRuntime().availableProcessors();
        String tls = RedfishClient.openSsl() ? "BoringSSL (netty-tcnative)" : "JDK SSLEngine";
        System.out.printf(
                "redfish bench: BMCs %s, base port %d, Anvil window %d, %d cores, TLS %s, loadavg %s%n",
                counts, basePort, window, cores, tls, loadavg());
        BenchTable table = new BenchTable(
                        "redfish",
                        "BMCs",
                        "client",
                        "errors",
                        "wall s",
                        "BMCs/s",
                        "p50 ms",
                        "p99 ms",
                        "requests",
                        "client CPU s",
                        "sim CPU s",
                        "load avg")
                .meta(
                        "command",
                        "scripts/bench redfish "
                                + String.join(
                                        ",",
                                        counts.stream().map(String::valueOf).toList()) + " " + basePort + " " + window)
                .meta("cores", cores)
                .meta("loadavg_start", loadavg())
                .meta("tls_engine", tls)
                .meta("operation", "GET ComputerSystem (PowerState) over HTTPS, verified against the simulator's CA")
                .meta("sim", "anvil sim redfish in child JVMs (-Xmx1g), at most " + SHARD + " BMCs each")
                .meta("anvil_window", window)
                .meta("idle_connection_timeout_s", IDLE_S);
        Path[] certs = certificates();
        JsonArray sims = new JsonArray();
        JsonObject anvilCold1k = null;
        JsonObject anvilWarm1k = null;
        JsonObject anvilSync1k = null;
        List<JsonObject> sushy = List.of();
        List<JsonObject> last = List.of();
        List<String> notes = new ArrayList<>();
        for (int n : counts) {
            try (Fleet fleet = Fleet.start(n, basePort, certs)) {
                System.out.printf("%n== %d BMCs: simulator pids %s up%n", n, fleet.pids());
                double jit = warmUp(fleet, window);
                table.meta("warm_up_jit_share_" + n, round2(jit));
                if (jit >= JIT_QUIET) {
                    notes.add(String.format(
                            "%d BMCs: the JIT compilers still took %.0f %% of the last warm-up round's CPU (quiet: < %.0f"
                                    + " %%): the measured sweeps include compilation",
                            n, jit * 100, JIT_QUIET * 100));
                }
                List<JsonObject> rows = anvilSweeps(table, fleet, window);
                last = rows;
                if (n == counts.get(0) && SUSHY_BMCS > 0) {
                    anvilCold1k = rows.get(0);
                    anvilWarm1k = rows.get(1);
                    anvilSync1k = rows.get(2);
                    sushy = sushySweeps(table, fleet, Math.min(SUSHY_BMCS, n), SUSHY_THREADS);
                }
                sims.add(new JsonObject().put("bmcs", n).put("processes", fleet.describe()));
            }
        }
        table.meta("loadavg_end", loadavg()).meta("simulators", sims);
        List<String> verdict = verdict(table, anvilCold1k, anvilWarm1k, anvilSync1k, sushy, last);
        table.finish();
        verdict.forEach(System.out::println);
        notes.forEach(System.out::println);
        System.exit(0);
    }

    /**
     * Anvil's rate and CPU per BMC (client + simulator) over sushy's, round for round, and whether the largest
     * count's sweeps make the aim of 10,000 BMCs in under 10 s.
     */
    private static List<String> verdict(
            BenchTable table,
            JsonObject anvilCold,
            JsonObject anvilWarm,
            JsonObject anvilSync,
            List<JsonObject> sushy,
            List<JsonObject> last) {
        List<String> out = new ArrayList<>();
        if (anvilCold != null && sushy.size() == 2) {
            // sushy's warm round is also what a periodic sync after idle does: a new connection, the session kept
            for (int k = 0; k < 3; k++) {
                JsonObject a = k == 0 ? anvilCold : k == 1 ? anvilWarm : anvilSync;
                JsonObject py = sushy.get(Math.min(k, 1));
                String round = k == 0 ? "cold" : k == 1 ? "warm" : "sync after idle (sushy: warm)";
                double rate = a.getDouble("BMCs/s") / py.getDouble("BMCs/s");
                double cpu = cpuPerBmc(py) / cpuPerBmc(a);
                String key = k == 2 ? "sync" : round;
                table.meta("anvil_over_sushy_rate_" + key, round2(rate))
                        .meta("anvil_over_sushy_cpu_" + key, round2(cpu));
                out.add(String.format(
                        "Anvil over sushy, %s, %d BMCs: %.1fx the rate, %.1fx less CPU per BMC (client + simulator:"
                                + " %.2f vs %.2f ms) (aim: >= 10x the rate)",
                        round, a.getInteger("BMCs"), rate, cpu, cpuPerBmc(a), cpuPerBmc(py)));
            }
        }
        for (JsonObject a : last) {
            double perTenThousand = a.getDouble("wall s") * 10_000 / a.getInteger("BMCs");
            out.add(String.format(
                    "%s, %d BMCs: %.2f s (aim: 10,000 in < 10 s: %s)",
                    a.getString("client"),
                    a.getInteger("BMCs"),
                    a.getDouble("wall s"),
                    a.getInteger("BMCs") < 10_000 ? "not tried" : perTenThousand < 10 ? "met" : "not met"));
        }
        return out;
    }

    private static double cpuPerBmc(JsonObject row) {
        return (row.getDouble("client CPU s") + row.getDouble("sim CPU s")) * 1000 / row.getInteger("BMCs");
    }

    // ------------------------------------------------------------------ Anvil's client

    static RedfishTarget target(Fleet fleet, int i) {
        return RedfishTarget.of(fleet.url(i), "admin", "password")
                .withVerifyCa(fleet.caFile.toString())
                .withAuthType(RedfishTarget.AuthType.SESSION)
                .withSystemId("/redfish/v1/Systems/1");
    }

    private static RedfishClient client(Vertx vertx, long idleSeconds) {
        RedfishClientOptions o = new RedfishClientOptions()
                .setIdleConnectionTimeout(Duration.ofSeconds(idleSeconds))
                .setConnectionAttempts(3)
                .setConnectionRetryInterval(Duration.ofMillis(200));
        if (CHAIN_CACHE != null) {
            o.setVerifiedChainCacheSize(CHAIN_CACHE);
        }
        return new RedfishClient(vertx, o);
    }

    /**
     * Both JVMs' JIT, not recorded: rounds of {@code -Dbench.warmUpColdSweeps} (default 4) cold sweeps (a new client
     * each), then a new client's cold, warm and (after its connections closed) resumed sweeps, over the first
     * {@link #WARM_UP} BMCs of each simulator process, at least {@link #WARM_UP_ROUNDS}, until the compiler threads
     * (C1/C2) of the bench JVM and the simulators took less than {@link #JIT_QUIET} of a round's CPU, or
     * {@link #WARM_UP_MAX_ROUNDS}. With a fixed 3 rounds C2 still compiled netty's SSL and pipeline code through the
     * measured sweeps (perf: a quarter of all samples), which a long-running conductor has done long before. With one
     * cold sweep per round (500 handshakes) the compilers never went quiet: that was not a deoptimisation loop (a flight
     * recording shows ~190 real deoptimisations in a whole run, mostly class_check/maybe_recompile in netty and the
     * JDK's collections; PrintCompilation's "made not entrant" lines are mostly tier-3 code replaced by its C2 version)
     * but code run once per handshake (TLS, the certificate path check, connection set-up) reaching C2's thresholds
     * (Tier4InvocationThreshold 5,000 calls, scaled up while C2's single queue on 2 cores is long) only after
     * thousands of handshakes: each round kept compiling methods that had just crossed them.
     */
    static double warmUp(Fleet fleet, int window) throws Exception {
        Vertx vertx = Vertx.vertx();
        int[] bmcs =
                IntStream.range(0, fleet.count).filter(i -> i % SHARD < WARM_UP).toArray();
        long self = ProcessHandle.current().pid();
        for (int round = 1; ; round++) {
            long clientJit0 = CpuMeter.compilerCpuNs(self);
            long simJit0 = fleet.compilerCpuNs();
            long clientCpu0 = CpuMeter.jvmCpuNs();
            long simCpu0 = fleet.cpuNs();
            for (int k = 1; k < WARM_UP_COLD_SWEEPS; k++) {
                RedfishClient cold = client(vertx, 1);
                sweep(vertx, cold, fleet, window, bmcs);
                get(cold.close(), 60);
            }
            RedfishClient client = client(vertx, 1);
            sweep(vertx, client, fleet, window, bmcs);
            sweep(vertx, client, fleet, window, bmcs);
            BenchWait.pause(3_000);
            sweep(vertx, client, fleet, window, bmcs);
            get(client.close(), 60);
            long clientJit = CpuMeter.compilerCpuNs(self) - clientJit0;
            long simJit = fleet.compilerCpuNs() - simJit0;
            long clientCpu = CpuMeter.jvmCpuNs() - clientCpu0;
            long simCpu = fleet.cpuNs() - simCpu0;
            double jit = (double) (clientJit + simJit) / (clientCpu + simCpu);
            System.out.printf(
                    "  warm-up round %d: JIT compilers %.0f %% of the CPU (client %.2f of %.2f s, simulator %.2f of"
                            + " %.2f s)%n",
                    round, jit * 100, clientJit / 1e9, clientCpu / 1e9, simJit / 1e9, simCpu / 1e9);
            if (round >= WARM_UP_MAX_ROUNDS || round >= WARM_UP_ROUNDS && jit < JIT_QUIET) {
                get(vertx.close(), 60);
                return jit;
            }
        }
    }

    /**
     * Anvil's sweeps over every BMC: a new client (handshake + login per BMC), then the same client again; then a
     * periodic sync's case: another client with a short idle timeout sweeps once (not recorded), its connections go
     * idle and close, and it sweeps again: per BMC a new connection whose TLS handshake resumes the first one's
     * session (a TLS 1.3 ticket, no certificate signature or chain check) and the GET with the kept Redfish session.
     */
    static List<JsonObject> anvilSweeps(BenchTable table, Fleet fleet, int window) throws Exception {
        Vertx vertx = Vertx.vertx();
        RedfishClient client = client(vertx, IDLE_S);
        int[] all = IntStream.range(0, fleet.count).toArray();
        List<JsonObject> rows = new ArrayList<>();
        for (String kind : List.of("cold: new connection + session", "warm: connection + session reused")) {
            rows.add(measured(table, fleet, kind, () -> sweep(vertx, client, fleet, window, all), client));
        }
        get(client.close(), 60);
        RedfishClient sync = client(vertx, SYNC_IDLE_S);
        sweep(vertx, sync, fleet, window, all);
        System.out.printf("  waiting %d s for the connections to go idle and close%n", SYNC_IDLE_S + 2);
        BenchWait.pause((SYNC_IDLE_S + 2) * 1000);
        rows.add(measured(
                table,
                fleet,
                "sync after idle: new connection, TLS resumed, session reused",
                () -> sweep(vertx, sync, fleet, window, all),
                sync));
        get(sync.close(), 60);
        get(vertx.close(), 60);
        return rows;
    }

    interface SweepRun {
        Sweep run() throws Exception;
    }

    /** One recorded sweep: wall time, latencies, requests and CPU of client and simulator. */
    private static JsonObject measured(BenchTable table, Fleet fleet, String kind, SweepRun run, RedfishClient client)
            throws Exception {
        System.out.printf("  measuring: %d BMCs, Anvil %s%n", fleet.count, kind);
        String load = loadavg();
        long cpu0 = CpuMeter.jvmCpuNs();
        long sim0 = fleet.cpuNs();
        long req0 = client.requests();
        long hits0 = client.verifiedChainHits();
        long validations0 = client.chainValidations();
        Sweep r = run.run();
        long cpu = CpuMeter.jvmCpuNs() - cpu0;
        long simCpu = fleet.cpuNs() - sim0;
        JsonObject row = new JsonObject()
                .put("BMCs", fleet.count)
                .put("client", "Anvil " + kind)
                .put("errors", r.errors)
                .put("wall s", round2(r.wallNs / 1e9))
                .put("BMCs/s", (double) Math.round(fleet.count / (r.wallNs / 1e9)))
                .put("p50 ms", round2(r.percentile(0.50)))
                .put("p99 ms", round2(r.percentile(0.99)))
                .put("requests", client.requests() - req0)
                .put("client CPU s", round2(cpu / 1e9))
                .put("sim CPU s", round2(simCpu / 1e9))
                .put("load avg", load)
                .put("chains validated", client.chainValidations() - validations0)
                .put("chains remembered", client.verifiedChainHits() - hits0);
        if (r.firstError != null) {
            row.put("first_error", r.firstError);
        }
        table.row(row);
        return row;
    }

    record Sweep(long wallNs, int errors, long[] latenciesNs, String firstError) {
        double percentile(double p) {
            long[] s = latenciesNs.clone();
            Arrays.sort(s);
            return s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) (p * s.length))] / 1e6;
        }
    }

    /** Every BMC of {@code bmcs} once, at most {@code window} in flight, from one event-loop context. */
    static Sweep sweep(Vertx vertx, RedfishClient client, Fleet fleet, int window, int[] bmcs) throws Exception {
        int count = bmcs.length;
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
                int k = next.getAndIncrement();
                if (k >= count) {
                    return;
                }
                long s = System.nanoTime();
                client.system(target(fleet, bmcs[k])).onComplete(ar -> {
                    lat[k] = System.nanoTime() - s;
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

    /** The sushy sweep over BMCs 0…n-1 with {@code threads} Python threads: a row per round (cold, warm). */
    static List<JsonObject> sushySweeps(BenchTable table, Fleet fleet, int n, int threads) throws Exception {
        String python = pythonWithSushy();
        if (python == null) {
            table.row(new JsonObject()
                    .put("BMCs", n)
                    .put("client", "sushy: python3-sushy not installed (apt-get install python3-sushy)"));
            return List.of();
        }
        Path dir = Files.createTempDirectory("redfish-bench");
        Path targets = dir.resolve("targets.txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append(fleet.url(i)).append(" /redfish/v1/Systems/1\n");
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
                        fleet.caFile.toString(),
                        "--threads",
                        Integer.toString(threads))
                .redirectErrorStream(true);
        // requests lets these override verify= (psf/requests#3829)
        pb.environment().remove("REQUESTS_CA_BUNDLE");
        pb.environment().remove("CURL_CA_BUNDLE");
        String load = loadavg();
        long sim0 = fleet.cpuNs();
        Process p = pb.start();
        List<JsonObject> rows = new ArrayList<>();
        StringBuilder other = new StringBuilder();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith("{")) {
                    other.append(line).append('\n');
                    continue;
                }
                // a round's line is printed as it ends: the simulator's CPU since the previous one is that round's
                long sim1 = fleet.cpuNs();
                JsonObject r = new JsonObject(line);
                JsonObject row = new JsonObject()
                        .put("BMCs", r.getInteger("bmcs"))
                        .put("client", "sushy " + r.getString("round") + " (" + r.getInteger("threads") + " threads)")
                        .put("errors", r.getInteger("errors"))
                        .put("wall s", round2(r.getDouble("seconds")))
                        .put("BMCs/s", (double) Math.round(r.getDouble("rate")))
                        .put("p50 ms", r.getDouble("p50_ms"))
                        .put("p99 ms", r.getDouble("p99_ms"))
                        .put("requests", "")
                        .put("client CPU s", r.getDouble("cpu_s"))
                        .put("sim CPU s", round2((sim1 - sim0) / 1e9))
                        .put("load avg", load);
                if (r.getString("first_error") != null) {
                    row.put("first_error", r.getString("first_error"));
                }
                table.row(row);
                rows.add(row);
                sim0 = sim1;
                load = loadavg();
            }
        }
        p.waitFor(30, TimeUnit.MINUTES);
        if (rows.isEmpty()) {
            throw new IllegalStateException("the sushy sweep printed no result:\n" + other);
        }
        return rows;
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

    // ------------------------------------------------------------------ helpers

    /** The 1-, 5- and 15-minute load averages. */
    private static String loadavg() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static <T> T get(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    /** One CA and server certificate for every simulator process: {ca, cert chain, key} files. */
    private static Path[] certificates() throws IOException {
        List<String> addresses =
                IntStream.rangeClosed(1, 16).mapToObj(Fleet::address).toList();
        RedfishTls tls = RedfishTls.generate(addresses, List.of("localhost"), 2);
        Path dir = Path.of("target/bench").toAbsolutePath();
        Files.createDirectories(dir);
        Path ca = Files.writeString(dir.resolve("redfish-sim-ca.pem"), tls.caPem());
        Path cert = Files.writeString(dir.resolve("redfish-sim-cert.pem"), tls.certPem());
        Path key = Files.writeString(dir.resolve("redfish-sim-key.pem"), tls.keyPem());
        return new Path[] {ca, cert, key};
    }

    // ------------------------------------------------------------------ the simulator's child processes

    /**
     * BMCs 0…count-1, served by ⌈count / shard⌉ {@code anvil sim redfish} processes: process k on 127.0.1.(k+1), ports
     * basePort….
     */
    static final class Fleet implements AutoCloseable {
        final int count;
        final int basePort;
        final Path caFile;
        private final List<SimProcess> processes;

        private Fleet(int count, int basePort, Path caFile, List<SimProcess> processes) {
            this.count = count;
            this.basePort = basePort;
            this.caFile = caFile;
            this.processes = processes;
        }

        static Fleet start(int count, int basePort, Path[] certs) throws Exception {
            List<SimProcess> processes = new ArrayList<>();
            try {
                for (int first = 0; first < count; first += SHARD) {
                    processes.add(SimProcess.start(
                            "1g",
                            "try  curl",
                            "sim",
                            "redfish",
                            "--count",
                            String.valueOf(Math.min(SHARD, count - first)),
                            "--host",
                            address(first / SHARD + 1),
                            "--base-port",
                            String.valueOf(basePort),
                            "--system-ids",
                            "ONE",
                            "--cert",
                            certs[1].toString(),
                            "--key",
                            certs[2].toString()));
                }
            } catch (Exception e) {
                for (SimProcess p : processes) {
                    p.close();
                }
                throw e;
            }
            return new Fleet(count, basePort, certs[0], processes);
        }

        static String address(int k) {
            return "127.0.1." + k;
        }

        /** BMC {@code i}'s base URL. */
        String url(int i) {
            return "https://" + address(i / SHARD + 1) + ":" + (basePort + i % SHARD);
        }

        List<Long> pids() {
            return processes.stream().map(SimProcess::pid).toList();
        }

        String describe() {
            return processes.size() + " x anvil sim redfish (at most " + SHARD + " BMCs each) on " + address(1)
                    + (processes.size() > 1 ? "…" + address(processes.size()) : "") + ", pids " + pids();
        }

        long cpuNs() throws IOException {
            long sum = 0;
            for (SimProcess p : processes) {
                sum += p.cpuNs();
            }
            return sum;
        }

        long compilerCpuNs() throws IOException {
            long sum = 0;
            for (SimProcess p : processes) {
                sum += CpuMeter.compilerCpuNs(p.pid());
            }
            return sum;
        }

        @Override
        public void close() throws Exception {
            for (SimProcess p : processes) {
                p.close();
            }
        }
    }
}
