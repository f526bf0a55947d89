package io.anvil.periodic;

import io.anvil.driver.DriverTask;
import io.anvil.driver.PowerInterface;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A power interface with simulated hardware, as a driver author would write one: the machine's real state lives
 * in {@link #hardware} (a node without an entry reports its recorded power_state, as Ironic's fake does);
 * {@code driver_info.fake_power_fail} makes every call fail; nodes in {@link #stuck} accept power commands and do
 * not move. It also declares a periodic task of its own, collected with no conductor change, that counts the nodes
 * it visits.
 */
public final class SimPower implements PowerInterface {
    public final Map<String, String> hardware = new ConcurrentHashMap<>();
    public final Set<String> stuck = ConcurrentHashMap.newKeySet();
    public final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> sets = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> visits = new ConcurrentHashMap<>();
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    private final Vertx vertx;
    private volatile Duration readDelay = Duration.ZERO;
    /** Runs before a read answers (e.g. to change the node behind the reader's back). */
    public volatile java.util.function.Function<String, Future<Void>> beforeAnswer = uuid -> Future.succeededFuture();

    public SimPower(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Makes every power read take this long (to observe the concurrency cap). */
    public SimPower readDelay(Duration d) {
        readDelay = d;
        return this;
    }

    /** The driver's own periodic: visits nodes whose power interface is this class, never locked ones. */
    @Periodic(spacing = "100ms", name = "sim_power_visits")
    public Future<WalkResult> countVisits(PeriodicContext ctx) {
        return ctx.nodes(DriverTask.class)
                .forEach(
                        NodeFilter.all().usingInterface("power", "fake"),
                        Walk.shared("sim power visit").onlyFor(this).concurrency(4),
                        (task, listed) -> {
                            visits.computeIfAbsent(task.uuid(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            return Future.succeededFuture(Visit.CONTINUE);
                        });
    }

    public int visitsOf(String uuid) {
        AtomicInteger n = visits.get(uuid);
        return n == null ? 0 : n.get();
    }

    public int readsOf(String uuid) {
        AtomicInteger n = reads.get(uuid);
        return n == null ? 0 : n.get();
    }

    public int setsOf(String uuid) {
        AtomicInteger n = sets.get(uuid);
        return n == null ? 0 : n.get();
    }

    private static String failure(DriverTask task) {
        Object v = task.node().getJsonObject("driver_info").getValue("fake_power_fail");
        return v == null || Boolean.FALSE.equals(v) ? null : String.valueOf(v);
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return Future.succeededFuture();
    }

    @Override
    public Future<String> getPowerState(DriverTask task) {
        reads.computeIfAbsent(task.uuid(), k -> new AtomicInteger()).incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        Promise<String> p = Promise.promise();
        Runnable answer = () -> {
            inFlight.decrementAndGet();
            String fail = failure(task);
            if (fail != null) {
                p.fail(new IllegalStateException(fail));
            } else {
                String s = hardware.get(task.uuid());
                p.complete(
                        s != null
                                ? s
                                : task.node().getString("power_state") == null
                                        ? "power off"
                                        : task.node().getString("power_state"));
            }
        };
        Runnable hooked = () -> beforeAnswer.apply(task.uuid()).onComplete(x -> answer.run());
        if (readDelay.isZero()) {
            hooked.run();
        } else {
            vertx.setTimer(readDelay.toMillis(), id -> hooked.run());
        }
        return p.future();
    }

    @Override
    public Future<Void> setPowerState(DriverTask task, String target, Duration timeout) {
        sets.computeIfAbsent(task.uuid(), k -> new AtomicInteger()).incrementAndGet();
        String fail = failure(task);
        if (fail != null) {
            return Future.failedFuture(new IllegalStateException(fail));
        }
        if (!stuck.contains(task.uuid())) {
            hardware.put(task.uuid(), target.equals("soft power off") ? "power off" : target);
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> reboot(DriverTask task, boolean soft, Duration timeout) {
        return setPowerState(task, "power on", timeout);
    }
}
