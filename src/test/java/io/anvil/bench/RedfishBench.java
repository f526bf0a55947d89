package io.anvil.bench;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench redfish [counts] [sushyBmcs] [sushyThreads]}: the Redfish fleet simulator at scale and a
 * power-state sweep over it (docs/redfish.md, docs/benchmarks.md).
 *
 * <ol>
 *   <li>For each count (default 1,000 and 10,000): start that many simulated BMCs over HTTPS in this JVM (their own
 *       Vert.x with 2 event loops), report the start time and the heap they hold (after a full GC, per 1,000 BMCs);
 *   <li>on the first fleet: a sushy sweep (Debian's python3-sushy, {@code src/test/resources/redfish/sushy_sweep.py})
 *       over {@code sushyBmcs} BMCs (default 1,000) with {@code sushyThreads} Python threads (default 32), verifying
 *       the simulator's CA: a cold round (a new {@code sushy.Sushy} per BMC: service root, session login, system) and
 *       a warm one (the cached objects refreshed: one GET each), as Ironic drives sushy.
 * </ol>
 *
 * The Anvil-client row (Anvil's Redfish client sweeping 1,000 and 10,000 BMCs) comes with the {@code redfish}
 * client (issue 18, {@code io.anvil.redfish}); until it lands this bench prints sushy's rows only. Prints a table and
 * writes target/bench/redfish.json. Without python3-sushy the sweep rows say so and the fleet rows remain.
 */
public final class RedfishBench {

    public static void main(String[] args) throws Exception {
        List<Integer> counts = args.length > 0
                ? Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList()
                : List.of(1_000, 10_000);
        int sushyBmcs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int sushyThreads = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        BenchTable table = new BenchTable(
                "redfish", "what", "bmcs", "threads", "seconds", "rate_per_s", "heap_mib_per_1000", "errors");
        table.meta("cores", Runtime.getRuntime().availableProcessors())
                .meta("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        boolean swept = false;
        for (int count : counts) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
            long before = usedHeapAfterGc();
            long t0 = System.nanoTime();
            RedfishFleet fleet = RedfishFleet.start(
                            vertx, new RedfishFleetOptions().count(count).basePort(0))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.MINUTES);
            double startS = (System.nanoTime() - t0) / 1e9;
            long held = usedHeapAfterGc() - before;
            table.row(new JsonObject()
                    .put("what", "simulator start (HTTPS)")
                    .put("bmcs", count)
                    .put("threads", 2)
                    .put("seconds", startS)
                    .put("rate_per_s", count / startS)
                    .put("heap_mib_per_1000", held / 1048576.0 * 1000 / count)
                    .put("errors", 0));
            if (!swept) {
                swept = true;
                for (JsonObject round : sushySweep(fleet, Math.min(sushyBmcs, count), sushyThreads)) {
                    table.row(round);
                }
            }
            // TODO(issue 18, Redfish client): Anvil's client sweep over this fleet, once io.anvil.redfish exists
            fleet.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
            vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
        table.finish();
    }

    /**
     * Runs the sushy sweep over BMCs 0…n-1 of {@code fleet} with {@code threads} Python threads; one row per round
     * (cold, warm), or one row saying why there is none.
     */
    static List<JsonObject> sushySweep(RedfishFleet fleet, int n, int threads) throws Exception {
        List<JsonObject> rows = new ArrayList<>();
        String python = pythonWithSushy();
        if (python == null) {
            rows.add(new JsonObject()
                    .put("what", "sushy sweep: python3-sushy not installed (apt-get install python3-sushy)")
                    .put("bmcs", n)
                    .put("threads", threads)
                    .put("seconds", 0.0)
                    .put("rate_per_s", 0.0)
                    .put("heap_mib_per_1000", 0.0)
                    .put("errors", 0));
            return rows;
        }
        Path dir = Files.createTempDirectory("redfish-bench");
        Path targets = dir.resolve("targets.txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            SimulatedRedfishBmc bmc = fleet.bmc(i);
            lines.append(bmc.address()).append(' ').append(bmc.systemPath()).append('\n');
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
                        fleet.caFile().toString(),
                        "--threads",
                        Integer.toString(threads))
                .redirectErrorStream(true);
        // requests lets these override verify= (psf/requests#3829)
        pb.environment().remove("REQUESTS_CA_BUNDLE");
        pb.environment().remove("CURL_CA_BUNDLE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.MINUTES);
        for (String line : out.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonObject r = new JsonObject(line);
            if (r.getString("first_error") != null) {
                System.out.println("  sushy " + r.getString("round") + " first error: " + r.getString("first_error"));
            }
            rows.add(new JsonObject()
                    .put("what", "sushy power-state sweep, " + r.getString("round"))
                    .put("bmcs", r.getInteger("bmcs"))
                    .put("threads", r.getInteger("threads"))
                    .put("seconds", r.getDouble("seconds"))
                    .put("rate_per_s", r.getDouble("rate"))
                    .put("heap_mib_per_1000", 0.0)
                    .put("errors", r.getInteger("errors")));
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("the sushy sweep printed no result:\n" + out);
        }
        return rows;
    }

    private static String pythonWithSushy() throws IOException, InterruptedException {
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

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
