package io.anvil.bench;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench redfishSim [counts]}: the Redfish fleet simulator at scale (docs/redfish.md): for each count
 * (default 1,000 and 10,000) start that many simulated BMCs over HTTPS in this JVM (their own Vert.x with 2 event
 * loops) and report the start time and the heap they hold (after a full GC, per 1,000 BMCs). The sweeps of Anvil's
 * client and of sushy over the simulator are {@code scripts/bench redfish}. Prints a table and writes
 * target/bench/redfishSim.json.
 */
public final class RedfishSimBench {

    public static void main(String[] args) throws Exception {
        List<Integer> counts = args.length > 0
                ? Arrays.stream(args[0].split(",")).map(Integer::parseInt).toList()
                : List.of(1_000, 10_000);
        BenchTable table = new BenchTable(
                "redfishSim", "what", "bmcs", "threads", "seconds", "rate_per_s", "heap_mib_per_1000", "errors");
        table.meta("cores", Runtime.getRuntime().availableProcessors())
                .meta("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
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
            fleet.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
            vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
        table.finish();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc(); // a few rounds: objects freed by finalizers/cleaners of the previous one go too
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
