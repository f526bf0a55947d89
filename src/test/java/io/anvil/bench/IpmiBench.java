package io.anvil.bench;

import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.ClientStats;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench ipmi [counts] [basePort] [window] [ipmitoolSample] [ipmipowerFanout] [ipmipowerBatch]}: a Get Chassis Status
 * ("power status") sweep over N simulated BMCs (default 1,000 and 10,000), the simulator running in a child JVM
 * ({@code anvil sim bmc}) so that the CPU of each side is measured apart:
 * <ol>
 *   <li>Anvil's IPMI client, fresh client: every BMC gets a new RMCP+ session (suite 3) then the command;</li>
 *   <li>the same client again: sessions reused, one round trip per BMC;</li>
 *   <li>FreeIPMI {@code ipmipower --stat} over the same hosts, many hosts in one process;</li>
 *   <li>{@code ipmitool -I lanplus -C 3 ... power status}, one process per BMC, 16 in parallel, on a sample,
 *       extrapolated to N (labelled as such).</li>
 * </ol>
 * CPU: the bench JVM's process CPU time (OperatingSystemMXBean; it hosts only the Anvil client and this driver),
 * the simulator's from /proc/PID/stat, and the external tools' from this JVM's cutime/cstime (reaped children).
 * Prints a table and writes target/bench/ipmi.json.
 */
public final class IpmiBench {
    private static final String USER = "admin";
    private static final String PASSWORD = "password";

    public static void main(String[] args) throws Exception {
        List<Integer> counts = args.length > 0
                ? Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList()
                : List.of(1_000, 10_000);
        int basePort = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int sample = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        int fanout = args.length > 4 ? Integer.parseInt(args[4]) : 1_000;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 5_000;
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                "ipmi bench: BMCs %s, base port %d, Anvil window %d, ipmitool sample %d x16, ipmipower -F %d,"
                        + " %d cores, loadavg %s%n",
                counts, basePort, window, sample, fanout, cores, load);
        BenchTable table = new BenchTable(
                        "ipmi",
                        "BMCs",
                        "client",
                        "ops",
                        "errors",
                        "wall s",
                        "ops/s",
                        "p50 ms",
                        "p99 ms",
                        "client CPU s",
                        "sim CPU s",
                        "note")
                .meta(
                        "command",
                        "scripts/bench ipmi "
                                + String.join(
                                        ",",
                                        counts.stream().map(String::valueOf).toList()) + " " + basePort + " " + window
                                + " " + sample + " " + fanout + " " + batch)
                .meta("cores", cores)
                .meta("loadavg_start", load)
                .meta("cipher_suite", 3)
                .meta("operation", "Get Chassis Status (power status)")
                .meta("sim", "anvil sim bmc in a child JVM (-Xmx1g), 2 event-loop threads")
                .meta("anvil_window", window)
                .meta("ipmitool_parallel", 16)
                .meta("ipmitool_sample", sample)
                .meta("ipmipower_fanout", fanout)
                .meta("ipmipower_hosts_per_process", batch)
                .meta("ipmitool", version("ipmitool", "-V"))
                .meta("ipmipower", version("ipmipower", "-V"));
        JsonArray sims = new JsonArray();
        for (int n : counts) {
            try (Sim sim = Sim.start(n, basePort)) {
                System.out.printf("%n== %d BMCs: simulator pid %d up (%s)%n", n, sim.pid(), sim.banner);
                warmUp(sim, Math.min(n, 2_000), window);
                anvilSweeps(table, sim, window);
                ipmipower(table, sim, fanout, batch);
                ipmitool(table, sim, Math.min(sample, n));
                sims.add(new JsonObject().put("bmcs", n).put("totals", sim.stop()));
            }
        }
        String loadEnd = Files.readString(Path.of("/proc/loadavg")).trim();
        table.meta("loadavg_end", loadEnd).meta("simulator_totals", sims);
        System.out.println("loadavg at end: " + loadEnd);
        table.finish();
        System.exit(0);
    }

    // ------------------------------------------------------------------ Anvil's client

    private static BmcTarget target(int port) {
        return BmcTarget.of("127.0.0.1", port, USER, PASSWORD).withCipherSuite(3);
    }

    /** JIT warm-up of both JVMs with a throwaway client (sessions closed afterwards); not measured. */
    private static void warmUp(Sim sim, int n, int window) throws Exception {
        Vertx vertx = Vertx.vertx();
        IpmiClient client = get(IpmiClient.create(vertx, new IpmiClientOptions()), 60);
        for (int round = 0; round < 3; round++) {
            sweep(vertx, client, sim, n, window);
        }
        get(client.close(), 60);
        get(vertx.close(), 60);
        System.out.printf("  warm-up: %d BMCs x3 with a throwaway client%n", n);
    }

    private static void anvilSweeps(BenchTable table, Sim sim, int window) throws Exception {
        Vertx vertx = Vertx.vertx();
        IpmiClient client = get(IpmiClient.create(vertx, new IpmiClientOptions()), 60);
        for (String kind : List.of("new sessions", "sessions reused")) {
            long cpu0 = CpuMeter.jvmCpuNs();
            long sim0 = sim.cpuNs();
            SweepResult r = sweep(vertx, client, sim, sim.count, window);
            long cpu = CpuMeter.jvmCpuNs() - cpu0;
            long simCpu = sim.cpuNs() - sim0;
            ClientStats s = client.stats();
            JsonObject row = new JsonObject()
                    .put("BMCs", sim.count)
                    .put("client", "anvil (" + kind + ")")
                    .put("ops", sim.count)
                    .put("errors", r.errors)
                    .put("wall s", r.wallS())
                    .put("ops/s", sim.count / r.wallS())
                    .put("p50 ms", r.pct(50))
                    .put("p99 ms", r.pct(99))
                    .put("client CPU s", cpu / 1e9)
                    .put("sim CPU s", simCpu / 1e9)
                    .put(
                            "note",
                            window + " in flight; sessions open " + s.sessionsOpen() + ", opened " + s.sessionsOpened()
                                    + ", retransmits " + s.retransmits())
                    .put("first_error", r.firstError);
            row(table, row);
        }
        long t0 = System.nanoTime();
        get(client.close(), 120);
        System.out.printf(
                "  client closed (Close Session to %d BMCs) in %.1f s%n", sim.count, (System.nanoTime() - t0) / 1e9);
        get(vertx.close(), 60);
    }

    private record SweepResult(long wallNs, long[] latenciesNs, int errors, String firstError) {
        double wallS() {
            return wallNs / 1e9;
        }

        double pct(int p) {
            long[] ok = Arrays.stream(latenciesNs).filter(x -> x > 0).sorted().toArray();
            if (ok.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(ok.length - 1, Math.ceil(p / 100.0 * ok.length) - 1);
            return ok[Math.max(0, i)] / 1e6;
        }
    }

    /** Get Chassis Status on BMCs 0..n-1 with at most {@code window} in flight, driven from one event loop. */
    private static SweepResult sweep(Vertx vertx, IpmiClient client, Sim sim, int n, int window) throws Exception {
        long[] lat = new long[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Map<String, String> firstError = new ConcurrentHashMap<>();
        Promise<Void> finished = Promise.promise();
        Context ctx = vertx.getOrCreateContext();
        long t0 = System.nanoTime();
        ctx.runOnContext(v -> {
            for (int i = 0; i < Math.min(window, n); i++) {
                issue(client, sim, n, lat, next, done, errors, firstError, finished);
            }
        });
        get(finished.future(), 600);
        long wall = System.nanoTime() - t0;
        return new SweepResult(wall, lat, errors.get(), firstError.get("e"));
    }

    private static void issue(
            IpmiClient client,
            Sim sim,
            int n,
            long[] lat,
            AtomicInteger next,
            AtomicInteger done,
            AtomicInteger errors,
            Map<String, String> firstError,
            Promise<Void> finished) {
        int i = next.getAndIncrement();
        if (i >= n) {
            return;
        }
        long start = System.nanoTime();
        client.getChassisStatus(target(sim.basePort + i)).onComplete(ar -> {
            if (ar.succeeded()) {
                lat[i] = System.nanoTime() - start;
            } else {
                errors.incrementAndGet();
                firstError.putIfAbsent("e", String.valueOf(ar.cause()));
            }
            if (done.incrementAndGet() == n) {
                finished.complete();
            } else {
                issue(client, sim, n, lat, next, done, errors, firstError, finished);
            }
        });
    }

    // ------------------------------------------------------------------ FreeIPMI ipmipower

    /**
     * ipmipower opens its sockets for every host of its list up front (two per host: it fails with "ipmi_get_random:
     * Bad file descriptor" at 10,000 hosts with 20,000 descriptors allowed), so the hosts go in batches of
     * {@code batch}, one process after the other, each with a short hostrange ({@code 127.0.0.1:[20000-24999]}).
     */
    private static void ipmipower(BenchTable table, Sim sim, int fanout, int batch) throws Exception {
        long child0 = CpuMeter.reapedChildrenCpuNs();
        long sim0 = sim.cpuNs();
        long t0 = System.nanoTime();
        int ok = 0;
        int lines = 0;
        int processes = 0;
        String firstError = null;
        List<String> argvs = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        for (int from = 0; from < sim.count; from += batch) {
            int to = Math.min(sim.count, from + batch) - 1;
            String hosts = "127.0.0.1:[" + (sim.basePort + from) + "-" + (sim.basePort + to) + "]";
            List<String> cmd = List.of(
                    "ipmipower",
                    "-D",
                    "LAN_2_0",
                    "-I",
                    "3",
                    "-u",
                    USER,
                    "-p",
                    PASSWORD,
                    "-h",
                    hosts,
                    "-F",
                    String.valueOf(fanout),
                    "--stat");
            argvs.add(String.join(" ", cmd).replace(PASSWORD, "<password>"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes++;
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines++;
                    if (line.endsWith(": on") || line.endsWith(": off")) {
                        ok++;
                    } else if (firstError == null) {
                        firstError = line;
                    }
                }
            }
            p.waitFor();
            exits.add(p.exitValue());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu = CpuMeter.reapedChildrenCpuNs() - child0;
        long simCpu = sim.cpuNs() - sim0;
        row(
                table,
                new JsonObject()
                        .put("BMCs", sim.count)
                        .put(
                                "client",
                                "ipmipower --stat (" + processes
                                        + (processes == 1 ? " process)" : " processes in turn)"))
                        .put("ops", sim.count)
                        .put("errors", sim.count - ok)
                        .put("wall s", wall)
                        .put("ops/s", ok / wall)
                        .put("p50 ms", "n/a")
                        .put("p99 ms", "n/a")
                        .put("client CPU s", cpu / 1e9)
                        .put("sim CPU s", simCpu / 1e9)
                        .put(
                                "note",
                                "-F " + fanout + ", " + Math.min(batch, sim.count) + " hosts/process, exit " + exits)
                        .put("argv", new JsonArray(argvs))
                        .put("output_lines", lines)
                        .put("first_error", firstError));
    }

    // ------------------------------------------------------------------ ipmitool, one process per BMC

    private static void ipmitool(BenchTable table, Sim sim, int sample) throws Exception {
        int parallel = 16;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        long[] lat = new long[sample];
        AtomicInteger errors = new AtomicInteger();
        AtomicLong firstErr = new AtomicLong(-1);
        String[] firstErrorText = new String[1];
        CountDownLatch all = new CountDownLatch(sample);
        long child0 = CpuMeter.reapedChildrenCpuNs();
        long sim0 = sim.cpuNs();
        long t0 = System.nanoTime();
        // spread the sample over the whole fleet
        int stride = Math.max(1, sim.count / sample);
        for (int k = 0; k < sample; k++) {
            int idx = k;
            int port = sim.basePort + (k * stride) % sim.count;
            pool.execute(() -> {
                long s = System.nanoTime();
                try {
                    ProcessBuilder pb = new ProcessBuilder(
                                    "ipmitool",
                                    "-I",
                                    "lanplus",
                                    "-C",
                                    "3",
                                    "-H",
                                    "127.0.0.1",
                                    "-p",
                                    String.valueOf(port),
                                    "-U",
                                    USER,
                                    "-E",
                                    "power",
                                    "status")
                            .redirectErrorStream(true);
                    pb.environment().put("IPMI_PASSWORD", PASSWORD);
                    Process p = pb.start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor();
                    if (p.exitValue() == 0 && out.startsWith("Chassis Power is ")) {
                        lat[idx] = System.nanoTime() - s;
                    } else {
                        errors.incrementAndGet();
                        if (firstErr.compareAndSet(-1, idx)) {
                            firstErrorText[0] = out.trim();
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                } finally {
                    all.countDown();
                }
            });
        }
        all.await(30, TimeUnit.MINUTES);
        pool.shutdown();
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu = CpuMeter.reapedChildrenCpuNs() - child0;
        long simCpu = sim.cpuNs() - sim0;
        SweepResult r = new SweepResult((long) (wall * 1e9), lat, errors.get(), firstErrorText[0]);
        double rate = (sample - errors.get()) / wall;
        row(
                table,
                new JsonObject()
                        .put("BMCs", sim.count)
                        .put("client", "ipmitool x16 (sample " + sample + ")")
                        .put("ops", sample)
                        .put("errors", errors.get())
                        .put("wall s", wall)
                        .put("ops/s", rate)
                        .put("p50 ms", r.pct(50))
                        .put("p99 ms", r.pct(99))
                        .put("client CPU s", cpu / 1e9)
                        .put("sim CPU s", simCpu / 1e9)
                        .put("note", "measured on " + sample + " BMCs")
                        .put("first_error", firstErrorText[0]));
        if (sample < sim.count) {
            double scale = (double) sim.count / sample;
            row(
                    table,
                    new JsonObject()
                            .put("BMCs", sim.count)
                            .put("client", "ipmitool x16 (EXTRAPOLATED)")
                            .put("ops", sim.count)
                            .put("errors", "-")
                            .put("wall s", sim.count / rate)
                            .put("ops/s", rate)
                            .put("p50 ms", r.pct(50))
                            .put("p99 ms", r.pct(99))
                            .put("client CPU s", cpu / 1e9 * scale)
                            .put("sim CPU s", simCpu / 1e9 * scale)
                            .put("note", "sample x" + String.format("%.0f", scale) + ", not measured"));
        }
    }

    /**
     * Adds a row: seconds are shown with two decimals (BenchTable prints doubles with one); the JSON keeps them as
     * numbers under snake_case keys too.
     */
    private static void row(BenchTable table, JsonObject values) {
        for (String k : List.of("wall s", "client CPU s", "sim CPU s")) {
            if (values.getValue(k) instanceof Double d) {
                values.put(k.toLowerCase().replace(' ', '_'), d);
                values.put(k, String.format("%.2f", d));
            }
        }
        table.row(values);
    }

    private static String version(String tool, String flag) {
        try {
            Process p = new ProcessBuilder(tool, flag).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out.lines().findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return "not installed";
        }
    }

    private static <T> T get(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ the simulator child process

    /** {@code anvil sim bmc} over ports basePort … basePort+count-1, in a child JVM. */
    static final class Sim implements AutoCloseable {
        final int count;
        final int basePort;
        final String banner;
        private final SimProcess process;

        private Sim(int count, int basePort, SimProcess process) {
            this.count = count;
            this.basePort = basePort;
            this.process = process;
            this.banner = process.banner;
        }

        static Sim start(int count, int basePort) throws Exception {
            return new Sim(
                    count,
                    basePort,
                    SimProcess.start(
                            "1g",
                            "listening on udp",
                            "sim",
                            "bmc",
                            "--count",
                            String.valueOf(count),
                            "--base-port",
                            String.valueOf(basePort)));
        }

        long pid() {
            return process.pid();
        }

        long cpuNs() throws IOException {
            return process.cpuNs();
        }

        /** SIGTERM; the simulator's counters line, printed in its shutdown hook. */
        String stop() throws Exception {
            return process.stop().stream()
                    .filter(l -> l.contains("totals"))
                    .findFirst()
                    .orElse("");
        }

        @Override
        public void close() throws Exception {
            stop();
        }
    }
}
