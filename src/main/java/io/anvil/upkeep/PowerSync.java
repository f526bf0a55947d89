package io.anvil.upkeep;

import io.anvil.conductor.PowerActions;
import io.anvil.conductor.Provisioning;
import io.anvil.conductor.Task;
import io.anvil.fsm.PowerState;
import io.anvil.fsm.ProvisionState;
import io.anvil.lock.NodeLockedException;
import io.anvil.periodic.AsyncLimiter;
import io.anvil.periodic.NodeFilter;
import io.anvil.periodic.NodeRef;
import io.anvil.periodic.NodeWalker;
import io.anvil.periodic.Periodic;
import io.anvil.periodic.PeriodicContext;
import io.anvil.periodic.Visit;
import io.anvil.periodic.Walk;
import io.anvil.periodic.WalkResult;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code _sync_power_states} / {@code do_sync_power_state} and {@code _power_failure_recovery}
 * ({@code ironic/conductor/manager.py}; docs/periodics.md#choices-that-differ-from-ironic), with one change: instead of
 * checking every node at the start of each run (a thundering herd on BMCs and the lock service every interval), each
 * node is checked at a stable offset within the interval, derived from its UUID, under a global cap of concurrent
 * checks ({@code sync_power_state_workers}).
 *
 * <p>Per node: a lock-free task (Ironic's shared task, which takes no lock: the check never delays a writer and costs
 * the lock service nothing); skip nodes in SYNC_EXCLUDED_STATES, in maintenance, with a target power state or
 * reserved; read the hardware state; a match resets the failure count; a mismatch takes the exclusive lock (a
 * NodeLocked is a skip), re-checks under it with the row read again, then powers the node to the recorded state
 * ({@code force_power_state_during_sync}, the default) or records the hardware's state with
 * {@code power_state_corrected}. Failed reads and persisting mismatches count per node (in memory, per conductor);
 * beyond {@code power_state_sync_max_retries} the node goes into maintenance with fault "power failure", which the
 * recovery periodic clears once the BMC answers again (never a manual maintenance).
 */
public final class PowerSync {
    private static final Logger LOG = LoggerFactory.getLogger(PowerSync.class);

    /** Ironic's faults.POWER_FAILURE. */
    public static final String POWER_FAILURE = "power failure";

    public static final String CORRECTED_EVENT = "baremetal.node.power_state_corrected.success";
    /** Offsets fall in the first 90% of the interval, leaving headroom so a run ends within its spacing. */
    static final double SPREAD = 0.9;
    /** Checks one timer tick starts at most (a first run at a short interval may find thousands due at once). */
    static final int BATCH = 500;
    /** Seconds a node gained from a dead peer and found locked is retried (its lease is conductor.lock_lease, 10 s). */
    static final int GAINED_LOCKED_RETRIES = 30;

    /** The settings, as conductor.* keys of the same names. */
    public record Settings(Duration interval, int workers, int maxRetries, boolean force) {}

    /** When, within a run, a node is checked. */
    public record Slot(NodeRef node, Duration offset) {}

    private final Vertx vertx;
    private final PowerActions power;
    private final Settings settings;
    private final AsyncLimiter limiter;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** Checks that found their node busy (its row reserved, or the upgrade refused), since start. */
    private final java.util.concurrent.atomic.AtomicLong busy = new java.util.concurrent.atomic.AtomicLong();

    private volatile List<Slot> lastPlan = List.of();
    /** The runs in progress, whose checks not yet started a shutdown cancels. */
    private final java.util.Set<Run> runs = ConcurrentHashMap.newKeySet();

    private final java.util.Set<Future<Void>> watched = ConcurrentHashMap.newKeySet();
    /** The walker of the latest run: a ring change between two runs still has one to check gained nodes with. */
    private volatile NodeWalker<Task> lastWalker;

    public PowerSync(Vertx vertx, PowerActions power, Settings settings) {
        this.vertx = vertx;
        this.power = power;
        this.settings = settings;
        this.limiter = new AsyncLimiter(settings.workers());
    }

    // ---- the spread ----

    /** The node's stable offset within {@code interval}: a mix of its UUID bits, in [0, 0.9 × interval). */
    public static Duration offset(String uuid, Duration interval) {
        UUID u = UUID.fromString(uuid);
        long h = mix(u.getMostSignificantBits() ^ Long.rotateLeft(u.getLeastSignificantBits(), 29));
        double fraction = (h >>> 11) * 0x1.0p-53;
        return Duration.ofNanos((long) (interval.toNanos() * SPREAD * fraction));
    }

    /** splitmix64's finaliser: sequential or structured UUIDs still spread evenly. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The checks of one run, by offset. */
    public static List<Slot> plan(List<NodeRef> nodes, Duration interval) {
        List<Slot> plan = new ArrayList<>(nodes.size());
        for (NodeRef n : nodes) {
            plan.add(new Slot(n, offset(n.uuid(), interval)));
        }
        plan.sort(Comparator.comparing(Slot::offset));
        return plan;
    }

    /** The plan of the latest run (for tests and diagnostics). */
    public List<Slot> lastPlan() {
        return lastPlan;
    }

    /** Consecutive failed syncs of a node (0 when healthy). */
    public int failureCount(String uuid) {
        return failures.getOrDefault(uuid, 0);
    }

    /** Checks that found their node busy (its row reserved by a holder, or the exclusive lock refused), since start. */
    public long busyChecks() {
        return busy.get();
    }

    public AsyncLimiter limiter() {
        return limiter;
    }

    static NodeFilter syncFilter() {
        return NodeFilter.all()
                .maintenance(false)
                .provisionStateNotIn(ProvisionState.SYNC_EXCLUDED_STATES)
                .noTargetPowerState()
                .unreserved();
    }

    // ---- periodic tasks ----

    @Periodic(spacing = "conductor.sync_power_state_interval", name = "sync_power_states")
    public Future<WalkResult> syncPowerStates(PeriodicContext ctx) {
        return syncPowerStates(ctx.nodes(Task.class), ctx.stopSignal());
    }

    /**
     * One run: lists the owned candidates, checks each at its offset (bounded by the global cap), and completes
     * when every check ended. {@code stopSignal} cancels the checks not yet started.
     */
    public Future<WalkResult> syncPowerStates(NodeWalker<Task> nodes, Future<Void> stopSignal) {
        lastWalker = nodes;
        return nodes.owned(syncFilter()).compose(list -> {
            List<Slot> plan = plan(list, settings.interval());
            lastPlan = List.copyOf(plan);
            Run run = new Run(nodes, plan);
            runs.add(run);
            if (watched.add(stopSignal)) {
                stopSignal.onComplete(x -> runs.forEach(Run::cancel));
            }
            run.tick();
            return run.done.future().onComplete(x -> runs.remove(run));
        });
    }

    /**
     * After the ring changed (a conductor died or left): every run in progress lists the nodes this conductor owns
     * now and checks at once, through the same cap, those not in its plan — a dead peer's nodes are checked again
     * within one listing and their share of checks, not only from the next run on (docs/scale-out.md#take-over).
     * Nodes already in a plan keep their offset. Between two runs (the last one ended, the next has not started) a run
     * with nothing planned adopts the nodes the last run did not plan, so they do not wait for the next run.
     */
    public void ownershipChanged() {
        NodeWalker<Task> walker = lastWalker;
        if (runs.isEmpty() && walker != null && !walker.stopping()) {
            Run run = new Run(walker, List.of());
            lastPlan.forEach(slot -> run.known().add(slot.node().uuid()));
            runs.add(run);
            run.done.future().onComplete(x -> runs.remove(run));
            run.adopt();
            return;
        }
        runs.forEach(Run::adopt);
    }

    /**
     * One run's checks, started by a single chained timer that wakes at the next due offset (a timer per node
     * would put tens of thousands of timers on the event loop at once); one tick starts at most {@link #BATCH}.
     */
    private final class Run {
        private final NodeWalker<Task> nodes;
        private final List<Slot> plan;
        private final long t0 = System.nanoTime();
        private final Promise<WalkResult> done = Promise.promise();
        private int next;
        private int inFlight;
        private long timer = -1;
        private int visited;
        private int locked;
        private int gone;
        private int failed;
        private int cancelled;
        private int listed;

        /** uuids of the plan and of nodes adopted since, made at the first adoption. */
        private java.util.Set<String> known;

        Run(NodeWalker<Task> nodes, List<Slot> plan) {
            this.nodes = nodes;
            this.plan = plan;
            this.listed = plan.size();
        }

        /** The uuids this run planned or adopted (made at the first adoption). */
        synchronized java.util.Set<String> known() {
            if (known == null) {
                known = new java.util.HashSet<>(plan.size() * 2);
                plan.forEach(slot -> known.add(slot.node().uuid()));
            }
            return known;
        }

        /** Lists the owned candidates again and starts the checks of those this run did not plan. */
        void adopt() {
            synchronized (this) {
                if (next >= plan.size()
                        && inFlight == 0
                        && (!plan.isEmpty() || done.future().isComplete())) {
                    return; // over, or being cancelled (a run of nothing planned is open until its first adoption)
                }
                inFlight++; // the listing itself keeps the run open
            }
            nodes.owned(syncFilter()).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn(
                            "power sync: could not list the nodes owned after a ring change: {}",
                            ar.cause().toString());
                }
                List<NodeRef> gained = new ArrayList<>();
                synchronized (this) {
                    if (ar.succeeded() && cancelled == 0) {
                        java.util.Set<String> seen = known();
                        for (NodeRef n : ar.result()) {
                            if (seen.add(n.uuid())) {
                                gained.add(n);
                            }
                        }
                    }
                    inFlight += gained.size();
                    listed += gained.size();
                }
                if (!gained.isEmpty()) {
                    LOG.info(
                            "power sync: {} nodes newly owned here (hash ring changed), checking them now",
                            gained.size());
                }
                for (NodeRef n : gained) {
                    startGained(n, GAINED_LOCKED_RETRIES);
                }
                ended(null);
            });
        }

        /**
         * A gained node found locked is most likely held by the dead peer until its lease runs out: it is tried again
         * every second (up to {@code tries} times) instead of waiting for the next run.
         */
        private void startGained(NodeRef node, int tries) {
            limiter.run(() -> nodes.visit(node, Walk.lockFree("power state sync"), PowerSync.this::check))
                    .onComplete(ar -> {
                        NodeWalker.Outcome o = outcome(ar);
                        boolean again;
                        synchronized (this) {
                            again = o == NodeWalker.Outcome.LOCKED && tries > 0 && cancelled == 0 && !nodes.stopping();
                        }
                        if (again) {
                            vertx.setTimer(1000, id -> startGained(node, tries - 1));
                        } else {
                            ended(o);
                        }
                    });
        }

        private void start(NodeRef node) {
            limiter.run(() -> nodes.visit(node, Walk.lockFree("power state sync"), PowerSync.this::check))
                    .onComplete(ar -> ended(outcome(ar)));
        }

        private NodeWalker.Outcome outcome(io.vertx.core.AsyncResult<NodeWalker.Outcome> ar) {
            NodeWalker.Outcome o = ar.succeeded() ? ar.result() : NodeWalker.Outcome.FAILED;
            if (o == NodeWalker.Outcome.LOCKED) {
                busy.incrementAndGet();
            }
            return o;
        }

        void tick() {
            List<Slot> due = new ArrayList<>();
            synchronized (this) {
                timer = -1;
                if (nodes.stopping()) {
                    cancelRest();
                } else {
                    long elapsed = System.nanoTime() - t0;
                    while (next < plan.size()
                            && due.size() < BATCH
                            && plan.get(next).offset().toNanos() <= elapsed) {
                        due.add(plan.get(next++));
                    }
                    inFlight += due.size();
                    if (next < plan.size()) {
                        long wait = due.size() == BATCH
                                ? 1
                                : (plan.get(next).offset().toNanos() - elapsed) / 1_000_000;
                        timer = vertx.setTimer(Math.max(1, wait), id -> tick());
                    }
                }
            }
            for (Slot slot : due) {
                start(slot.node());
            }
            finishIfDone();
        }

        /** A check ended with {@code o} (null: an adoption's listing ended). */
        private void ended(NodeWalker.Outcome o) {
            synchronized (this) {
                inFlight--;
                if (o != null) {
                    switch (o) {
                        case CONTINUE, STOP -> visited++;
                        case LOCKED -> locked++;
                        case GONE -> gone++;
                        default -> failed++;
                    }
                }
            }
            finishIfDone();
        }

        /** On shutdown: the checks not yet started never start. */
        void cancel() {
            synchronized (this) {
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                    timer = -1;
                }
                cancelRest();
            }
            finishIfDone();
        }

        private synchronized void cancelRest() {
            cancelled += plan.size() - next;
            next = plan.size();
        }

        private void finishIfDone() {
            WalkResult r;
            synchronized (this) {
                if (next < plan.size() || inFlight > 0) {
                    return;
                }
                r = new WalkResult(listed, visited, locked, gone, 0, failed, cancelled > 0);
            }
            done.tryComplete(r);
        }
    }

    /**
     * do_sync_power_state for one node under its lock-free task (Ironic's shared task): a node whose row names a holder
     * counts as locked (a gained node is then tried again); every action re-checks under the exclusive lock.
     */
    Future<Visit> check(Task task, NodeRef listed) {
        String holder = task.node().getString("reservation");
        if (holder != null) {
            return Future.failedFuture(NodeLockedException.reserved(task.uuid(), holder));
        }
        if (excluded(task.node())) {
            return Future.succeededFuture(Visit.CONTINUE);
        }
        String uuid = task.uuid();
        int count = failureCount(uuid) + 1;
        return readPowerState(task).transform(ar -> {
            if (ar.failed()) {
                return readFailed(task, count, ar.cause());
            }
            String actual = ar.result();
            if (java.util.Objects.equals(actual, task.node().getString("power_state"))) {
                failures.remove(uuid);
                return Future.succeededFuture(Visit.CONTINUE);
            }
            return task.upgradeLock("power state sync").compose(v -> mismatch(task, actual, count));
        });
    }

    /**
     * get_power_state, with ERROR treated as a failure (Ironic's PowerStateFailure). Null (a fake node no power
     * action has touched) is a state like any other: it matches a null record (do_sync_power_state).
     */
    private static Future<String> readPowerState(Task task) {
        return Futures.attempt(() -> task.driver().power().getPowerState(task))
                .compose(s -> PowerState.ERROR.value().equals(s)
                        ? Future.failedFuture(new IllegalStateException(
                                "Power driver returned ERROR state while trying to sync " + "power state."))
                        : Future.succeededFuture(s));
    }

    private Future<Visit> readFailed(Task task, int count, Throwable error) {
        failures.put(task.uuid(), count);
        if (count <= settings.maxRetries()) {
            LOG.warn(
                    "During sync_power_state, could not get power state for node {}, attempt {} of {}. Error: {}.",
                    task.uuid(),
                    count,
                    settings.maxRetries(),
                    Provisioning.message(error));
            return Future.succeededFuture(Visit.CONTINUE);
        }
        return task.upgradeLock("power state sync").compose(v -> {
            if (excluded(task.node())) {
                return Future.succeededFuture(Visit.CONTINUE);
            }
            return maxRetriesExceeded(task, null, error);
        });
    }

    /** Under the exclusive lock, with the node re-read: re-check everything, then act. */
    private Future<Visit> mismatch(Task task, String actual, int count) {
        JsonObject node = task.node();
        String recorded = node.getString("power_state");
        if (java.util.Objects.equals(actual, recorded)) {
            failures.remove(task.uuid());
            return Future.succeededFuture(Visit.CONTINUE);
        }
        if (excluded(node)) {
            return Future.succeededFuture(Visit.CONTINUE);
        }
        if (recorded == null) {
            LOG.info(
                    "During sync_power_state, node {} has no previous known state. Recording current state '{}'.",
                    task.uuid(),
                    actual);
            failures.remove(task.uuid());
            return task.save(Map.of("power_state", actual)).map(Visit.CONTINUE);
        }
        failures.put(task.uuid(), count);
        if (count > settings.maxRetries()) {
            return maxRetriesExceeded(task, actual, null);
        }
        if (settings.force()) {
            LOG.warn(
                    "During sync_power_state, node {} state '{}' does not match expected state. Changing hardware "
                            + "state to '{}'.",
                    task.uuid(),
                    actual,
                    recorded);
            return power.nodePowerAction(task, PowerState.fromValue(recorded), PowerActions.DEFAULT_TIMEOUT)
                    .map(Visit.CONTINUE)
                    .recover(e -> {
                        LOG.error(
                                "Failed to change power state of node {} to '{}', attempt {} of {}: {}",
                                task.uuid(),
                                recorded,
                                count,
                                settings.maxRetries(),
                                Provisioning.message(e));
                        return Future.succeededFuture(Visit.CONTINUE);
                    });
        }
        LOG.warn(
                "During sync_power_state, node {} state does not match expected state '{}'. Updating recorded state "
                        + "to '{}'.",
                task.uuid(),
                recorded,
                actual);
        return task.saveWithEvent(
                        java.util.Collections.singletonMap("power_state", actual),
                        CORRECTED_EVENT,
                        "info",
                        new JsonObject().put("from_power", recorded))
                .map(Visit.CONTINUE);
    }

    /**
     * handle_sync_power_state_max_retries_exceeded: the DB takes the actual state (when the BMC told it), the node
     * goes into maintenance with fault "power failure" (unless already in maintenance) and power_state_corrected is
     * emitted.
     */
    private Future<Visit> maxRetriesExceeded(Task task, String actual, Throwable error) {
        JsonObject node = task.node();
        String recorded = node.getString("power_state");
        String msg = "During sync_power_state, max retries exceeded for node " + task.uuid() + ", node state "
                + (actual == null ? "None" : actual) + " does not match expected state '" + recorded
                + "'. Updating DB state "
                + "to '" + (actual == null ? recorded : actual) + "' Switching node to maintenance mode."
                + (error == null ? "" : " Error: " + Provisioning.message(error));
        Map<String, Object> cols = new HashMap<>();
        if (actual != null) {
            cols.put("power_state", actual);
        }
        cols.put("last_error", msg);
        if (!Boolean.TRUE.equals(node.getBoolean("maintenance"))) {
            cols.put("maintenance", true);
            cols.put("maintenance_reason", msg);
            cols.put("fault", POWER_FAILURE);
        }
        LOG.error(msg);
        return task.saveWithEvent(cols, CORRECTED_EVENT, "info", new JsonObject().put("from_power", recorded))
                .map(Visit.CONTINUE);
    }

    private static boolean excluded(JsonObject node) {
        return ProvisionState.lookup(node.getString("provision_state"))
                        .map(ProvisionState.SYNC_EXCLUDED_STATES::contains)
                        .orElse(true)
                || Boolean.TRUE.equals(node.getBoolean("maintenance"))
                || node.getString("target_power_state") != null;
    }

    // ---- power failure recovery ----

    @Periodic(spacing = "conductor.power_failure_recovery_interval", name = "power_failure_recovery")
    public Future<WalkResult> powerFailureRecovery(PeriodicContext ctx) {
        return powerFailureRecovery(ctx.nodes(Task.class));
    }

    /** Nodes in maintenance because of a power failure get it cleared once their BMC answers. */
    public Future<WalkResult> powerFailureRecovery(NodeWalker<Task> nodes) {
        NodeFilter filter =
                NodeFilter.all().maintenance(true).fault(POWER_FAILURE).unreserved();
        return nodes.owned(filter)
                .compose(list -> nodes.forEach(
                        list,
                        Walk.lockFree("power failure recovery").concurrency(settings.workers()),
                        (task, ref) -> limiter.run(() -> recover(task))));
    }

    private Future<Visit> recover(Task task) {
        JsonObject node = task.node();
        if (!recoverable(node)) {
            return Future.succeededFuture(Visit.CONTINUE);
        }
        return readPowerState(task).transform(ar -> {
            if (ar.failed()) {
                LOG.debug(
                        "Failed to get the power state of node {} in power-failure maintenance: {}",
                        task.uuid(),
                        Provisioning.message(ar.cause()));
                return Future.succeededFuture(Visit.CONTINUE);
            }
            String actual = ar.result();
            return task.upgradeLock("power failure recovery").compose(v -> {
                JsonObject n = task.node();
                if (!recoverable(n)) {
                    return Future.succeededFuture(Visit.CONTINUE);
                }
                String old = n.getString("power_state");
                Map<String, Object> cols = new HashMap<>();
                cols.put("power_state", actual);
                cols.put("maintenance", false);
                cols.put("maintenance_reason", null);
                cols.put("fault", null);
                LOG.info("Node {} is recovered from power failure with actual power state '{}'.", task.uuid(), actual);
                failures.remove(task.uuid());
                Future<JsonObject> saved = java.util.Objects.equals(actual, old)
                        ? task.save(cols)
                        : task.saveWithEvent(cols, CORRECTED_EVENT, "info", new JsonObject().put("from_power", old));
                return saved.map(Visit.CONTINUE);
            });
        });
    }

    /** In maintenance for a power failure (never a manual maintenance) and not enrolling. */
    private static boolean recoverable(JsonObject node) {
        return Boolean.TRUE.equals(node.getBoolean("maintenance"))
                && POWER_FAILURE.equals(node.getString("fault"))
                && !ProvisionState.ENROLL.value().equals(node.getString("provision_state"));
    }
}
