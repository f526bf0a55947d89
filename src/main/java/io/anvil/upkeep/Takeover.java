package io.anvil.upkeep;

import io.anvil.cluster.ClusterRing;
import io.anvil.cluster.ConductorRegistry;
import io.anvil.cluster.HashRings;
import io.anvil.conductor.AbandonedNodes;
import io.anvil.conductor.Provisioning;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.TaskOptions;
import io.anvil.fsm.ProvisionState;
import io.anvil.upkeep.Recovery.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Take-over of a dead conductor's nodes by the conductors that now own them on the ring (Ironic's
 * {@code ironic/conductor/manager.py: ConductorManager._check_orphan_nodes}; docs/architecture.md#ironic-scenarios,
 * scenarios 17, 18, 20), run when a ring refresh finds the membership changed (a conductor died or left), again soon
 * while orphans are still locked by their dead holder, and every {@link #SAFETY_SWEEP} in any case (Ironic's
 * _check_orphan_nodes period), without Ironic's 8-nodes-per-run cap. Not on every refresh: finding reserved nodes
 * scans the nodes table (its {@code reservation} column has no index, so that claims stay heap-only updates), which
 * at 100,000 nodes every 2 s would cost PostgreSQL a few percent of a core per conductor for nothing:
 *
 * <ol>
 *   <li>Nodes reserved by a conductor that is not alive (offline, or silent longer than heartbeat_timeout) and
 *       mapped here are taken with a try-once exclusive lock. The lock is granted only once the dead holder's
 *       lease has expired in Redis, and the claim raises the row's fence, so a holder that was only stalled can
 *       write nothing afterwards (docs/locks.md#fencing; docs/architecture.md#ironic-scenarios, scenario 23).</li>
 *   <li>Under the lock: in maintenance the node is only released (so it can leave maintenance). Otherwise a
 *       pending {@code target_power_state} is cleared ("Pending power operation was aborted due to conductor take
 *       over"), and a node in a STUCK_STATES_TREATED_AS_FAIL state goes to its fail state with "Operation was
 *       aborted due to conductor take over": DEPLOYING→DEPLOYFAIL, CLEANING→CLEANFAIL (maintenance and fault
 *       "clean failure" if a clean step was running). Ironic only unlocks the other -ing states (INSPECTING,
 *       DELETING, ...) and leaves them stuck until their old conductor restarts, a TODO in its code; nobody can
 *       resume them either, so Anvil fails them the same way.</li>
 *   <li>*WAIT nodes hold no lock: they simply continue with their new owner (heartbeats, timeouts).</li>
 * </ol>
 *
 * Also Ironic's _sync_local_state: ACTIVE, non-maintenance nodes owned here whose {@code conductor_affinity} is
 * another conductor get the deploy interface's {@code take_over} and {@code conductor_affinity = this conductor},
 * on every ring membership change and every sync_local_state_interval.
 */
public final class Takeover {
    private static final Logger LOG = LoggerFactory.getLogger(Takeover.class);
    static final int CONCURRENCY = 32;
    /** Take-over batches of {@link AbandonedNodes#BATCH} nodes in flight at once. */
    static final int BATCHES_IN_FLIGHT = 2;
    /** How soon orphans still locked by their dead holder are tried again. */
    static final Duration BUSY_RETRY = Duration.ofMillis(250);
    /** The sweep for orphans runs at least this often, membership changed or not. */
    static final Duration SAFETY_SWEEP = Duration.ofSeconds(60);

    /** What one pass did. */
    public record Result(
            int candidates, int released, int powerCleared, int failed, int tookOver, int busy, int errors) {
        static Result of(int candidates, List<NodeResult> results) {
            Map<Outcome, Integer> c =
                    Recovery.count(results.stream().map(NodeResult::outcome).toList());
            int power = (int) results.stream().filter(NodeResult::powerCleared).count();
            return new Result(
                    candidates,
                    c.getOrDefault(Outcome.RELEASED, 0)
                            + c.getOrDefault(Outcome.FAILED, 0)
                            + c.getOrDefault(Outcome.POWER_CLEARED, 0),
                    power,
                    c.getOrDefault(Outcome.FAILED, 0),
                    c.getOrDefault(Outcome.TOOK_OVER, 0),
                    c.getOrDefault(Outcome.BUSY, 0),
                    c.getOrDefault(Outcome.ERROR, 0));
        }
    }

    record NodeResult(Outcome outcome, boolean powerCleared) {}

    private final Vertx vertx;
    private final TaskManager tasks;
    private final ClusterRing ring;
    private final ConductorRegistry registry;
    private final Duration syncLocalStateInterval;
    private final AbandonedNodes abandoned;
    private HashRings lastMembership;
    private boolean running;
    private boolean pending;
    private boolean activeDue = true;
    /** A sweep for orphans is due: the membership changed, orphans were busy, or the last sweep failed. */
    private boolean sweepDue = true;

    private long lastSweepNanos = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicLong sweeps = new java.util.concurrent.atomic.AtomicLong();
    private long timer = -1;
    private volatile boolean stopped;

    public Takeover(
            Vertx vertx,
            TaskManager tasks,
            ClusterRing ring,
            ConductorRegistry registry,
            Duration syncLocalStateInterval) {
        this.vertx = vertx;
        this.tasks = tasks;
        this.ring = ring;
        this.registry = registry;
        this.syncLocalStateInterval = syncLocalStateInterval;
        this.abandoned = new AbandonedNodes(tasks);
    }

    /** Sweeps after every ring refresh (and ACTIVE nodes on membership changes and every sync interval). */
    public void start() {
        ring.onRefresh(rings -> {
            synchronized (this) {
                if (lastMembership == null || !rings.sameMembership(lastMembership)) {
                    activeDue = true;
                    sweepDue = true;
                }
                if (System.nanoTime() - lastSweepNanos >= SAFETY_SWEEP.toNanos()) {
                    sweepDue = true;
                }
                lastMembership = rings;
                if (!sweepDue && !activeDue) {
                    return;
                }
            }
            kick();
        });
        timer = vertx.setPeriodic(Math.max(1, syncLocalStateInterval.toMillis()), id -> {
            synchronized (this) {
                activeDue = true;
            }
            kick();
        });
    }

    /** Sweeps for orphans started so far (each scans the nodes table). */
    public long sweeps() {
        return sweeps.get();
    }

    public void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void kick() {
        boolean active;
        boolean sweep;
        synchronized (this) {
            if (running) {
                pending = true;
                return;
            }
            running = true;
            active = activeDue;
            activeDue = false;
            sweep = sweepDue;
            sweepDue = false;
            if (sweep) {
                lastSweepNanos = System.nanoTime();
                sweeps.incrementAndGet();
            }
        }
        int[] busy = {0};
        boolean[] errors = {false};
        Future<Result> swept = sweep ? sweepOrphans() : Future.succeededFuture(Result.of(0, List.of()));
        Future<?> pass = swept.compose(r -> {
            busy[0] = r.busy();
            errors[0] = r.errors() > 0;
            return active ? syncLocalState() : Future.succeededFuture();
        });
        pass.onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("take-over pass failed: {}", ar.cause().toString());
            }
            boolean again;
            synchronized (this) {
                running = false;
                again = pending;
                pending = false;
                // a failed sweep, or orphans still locked by their dead holder: sweep again at the next chance
                if (sweep && (swept.failed() || busy[0] > 0 || errors[0])) {
                    sweepDue = true;
                }
            }
            if (again && !stopped) {
                kick();
            } else if (busy[0] > 0 && !stopped) {
                // orphans whose dead holder's lease has not run out yet (leases end up to one renewal period apart):
                // try them again soon rather than at the next ring refresh
                vertx.setTimer(BUSY_RETRY.toMillis(), id -> kick());
            }
        });
    }

    private boolean idle() {
        return stopped || registry.draining();
    }

    /** One pass over nodes reserved by conductors that are not alive, as the current rings see them. */
    public Future<Result> sweepOrphans() {
        if (idle()) {
            return Future.succeededFuture(Result.of(0, List.of()));
        }
        HashRings rings = ring.current();
        String self = registry.hostname();
        if (!rings.isAlive(self)) {
            LOG.warn(
                    "Conductor {} does not see itself alive in the conductors table (keepalive late: resource "
                            + "starvation?); it takes over nothing",
                    self);
            return Future.succeededFuture(Result.of(0, List.of()));
        }
        List<String> alive = new ArrayList<>();
        rings.aliveHosts().forEach(h -> alive.add(h.toLowerCase(Locale.ROOT)));
        alive.add(self.toLowerCase(Locale.ROOT));
        return tasks.database()
                .reads()
                .preparedQuery("SELECT uuid::text AS uuid, driver, conductor_group, reservation FROM nodes"
                        + " WHERE reservation IS NOT NULL AND NOT (lower(reservation) = ANY($1))")
                .execute(Tuple.tuple().addArrayOfString(alive.toArray(new String[0])))
                .compose(rows -> {
                    List<Map<String, String>> batches = new ArrayList<>();
                    Map<String, String> batch = new LinkedHashMap<>();
                    int owned = 0;
                    for (Row r : rows) {
                        if (ring.ownedHere(
                                r.getString("uuid"), r.getString("driver"), r.getString("conductor_group"))) {
                            if (batch.size() == AbandonedNodes.BATCH) {
                                batches.add(batch);
                                batch = new LinkedHashMap<>();
                            }
                            batch.put(r.getString("uuid"), r.getString("reservation"));
                            owned++;
                        }
                    }
                    if (!batch.isEmpty()) {
                        batches.add(batch);
                    }
                    int candidates = owned;
                    // whole batches (one claim, one transaction each), a few at a time: the per-node round trips
                    // were most of the take-over time (docs/benchmarks.md, take-over)
                    return Recovery.forEach(batches, BATCHES_IN_FLIGHT, this::takeOrphans)
                            .map(perBatch -> {
                                List<NodeResult> results = new ArrayList<>();
                                perBatch.forEach(results::addAll);
                                Result res = Result.of(candidates, results);
                                if (candidates > 0) {
                                    LOG.info(
                                            "Conductor {} took over {} node(s) of offline conductors: {}",
                                            self,
                                            candidates,
                                            res);
                                }
                                return res;
                            });
                });
    }

    /**
     * One batch of orphans (node UUID to the dead conductor that reserved it), taken together: locked one by one,
     * claimed and written with their own fences, in one transaction (see {@link AbandonedNodes}).
     */
    private Future<List<NodeResult>> takeOrphans(Map<String, String> reservedBy) {
        if (idle()) {
            return Future.succeededFuture(reservedBy.keySet().stream()
                    .map(u -> new NodeResult(Outcome.BUSY, false))
                    .toList());
        }
        return abandoned
                .takeOver(reservedBy, Recovery.TAKEOVER_POWER, Recovery.TAKEOVER_ABORT)
                .map(results -> results.stream()
                        .map(r -> new NodeResult(
                                switch (r.outcome()) {
                                    case RELEASED -> Outcome.RELEASED;
                                    case POWER_CLEARED -> Outcome.POWER_CLEARED;
                                    case FAILED -> Outcome.FAILED;
                                    case BUSY -> Outcome.BUSY;
                                    case ERROR -> Outcome.ERROR;
                                },
                                r.powerCleared()))
                        .toList());
    }

    /**
     * Ironic's _sync_local_state: ACTIVE nodes owned here that were deployed or last taken over by another conductor
     * get {@code deploy.take_over} (rebuild boot configuration, consoles) and {@code conductor_affinity = me}.
     */
    public Future<Result> syncLocalState() {
        long me = registry.conductorId();
        if (idle() || me < 0) {
            return Future.succeededFuture(Result.of(0, List.of()));
        }
        return tasks.database()
                .reads()
                .preparedQuery(
                        "SELECT uuid::text AS uuid, driver, conductor_group FROM nodes WHERE provision_state = $1"
                                + " AND NOT maintenance AND reservation IS NULL AND conductor_affinity IS DISTINCT FROM $2")
                .execute(Tuple.of(ProvisionState.ACTIVE.value(), me))
                .compose(rows -> {
                    List<String> mine = new ArrayList<>();
                    for (Row r : rows) {
                        if (ring.ownedHere(
                                r.getString("uuid"), r.getString("driver"), r.getString("conductor_group"))) {
                            mine.add(r.getString("uuid"));
                        }
                    }
                    return Recovery.forEach(mine, CONCURRENCY, uuid -> takeActive(uuid, me))
                            .map(results -> Result.of(mine.size(), results));
                });
    }

    private Future<NodeResult> takeActive(String uuid, long me) {
        if (idle()) {
            return Future.succeededFuture(new NodeResult(Outcome.BUSY, false));
        }
        TaskOptions options =
                TaskOptions.exclusive("conductor take over").tryOnce().withoutReservedWorkers();
        return tasks.withTask(uuid, options, task -> {
                    JsonObject node = task.node();
                    Long affinity = node.getLong("conductor_affinity");
                    if (task.provisionState() != ProvisionState.ACTIVE
                            || Boolean.TRUE.equals(node.getBoolean("maintenance"))
                            || (affinity != null && affinity == me)) {
                        return Future.succeededFuture(new NodeResult(Outcome.NOTHING, false));
                    }
                    return task.driver()
                            .deploy()
                            .takeOver(task)
                            .compose(v -> task.save(Map.of("conductor_affinity", me)))
                            .map(v -> new NodeResult(Outcome.TOOK_OVER, false))
                            .recover(e -> {
                                LOG.error("Failed to take over node {}: {}", uuid, Provisioning.message(e));
                                return Future.succeededFuture(new NodeResult(Outcome.ERROR, false));
                            });
                })
                .recover(e -> Future.succeededFuture(new NodeResult(Recovery.classify(e), false)));
    }
}
