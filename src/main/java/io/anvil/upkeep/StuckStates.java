package io.anvil.upkeep;

import io.anvil.cluster.ClusterRing;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.TaskOptions;
import io.anvil.fsm.ProvisionState;
import io.anvil.upkeep.Recovery.Outcome;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a (re)started conductor corrects (Ironic's
 * {@code ironic/conductor/base_manager.py: BaseConductorManager.prepare_host} and
 * {@code ironic/conductor/manager.py: ConductorManager._correct_stuck_states}; docs/architecture.md#ironic-scenarios,
 * scenario 19):
 *
 * <ol>
 *   <li>Nodes still reserved under this hostname (case-insensitive) were abandoned by this host's previous
 *       incarnation: each is taken with the lock (waiting at most one lease, as that incarnation's lease may still
 *       run in Redis), a pending {@code target_power_state} is cleared with "Pending power operation was aborted
 *       due to conductor restart", a node in a stuck state is failed (below), and releasing it clears the
 *       reservation.</li>
 *   <li>Unreserved nodes mapped to this conductor in a STUCK_STATES_TREATED_AS_FAIL state move to their fail state
 *       (DEPLOYING→DEPLOYFAIL, CLEANING→CLEANFAIL, VERIFYING→ENROLL, INSPECTING→INSPECTFAIL, ADOPTING→ADOPTFAIL,
 *       RESCUING→RESCUEFAIL, UNRESCUING→UNRESCUEFAIL, DELETING→ERROR, SERVICING→SERVICEFAIL) with "The &lt;state&gt;
 *       state can't be resumed by conductor &lt;host&gt;. Moving to fail state." — all of them, not 8 per state.</li>
 * </ol>
 *
 * Unlike Ironic, which clears rows with unfenced UPDATEs before registering, every change here is made under the
 * node's lock and fenced, so it runs after registration without ever wiping a live lock.
 */
public final class StuckStates {
    private static final Logger LOG = LoggerFactory.getLogger(StuckStates.class);

    /** What a correction did. */
    public record Result(int reservationsCleared, int powerCleared, int failed, int busy, int errors) {}

    private record NodeResult(Outcome outcome, boolean powerCleared) {}

    private final TaskManager tasks;
    private final ClusterRing ring;
    private final String host;
    private final Duration previousLeaseWait;

    /**
     * @param previousLeaseWait how long to queue for a node this host reserved before its restart (its old lease
     *                          may still run): the lock lease plus a margin
     */
    public StuckStates(TaskManager tasks, ClusterRing ring, Duration previousLeaseWait) {
        this.tasks = tasks;
        this.ring = ring;
        this.host = tasks.host();
        this.previousLeaseWait = previousLeaseWait;
    }

    /** Runs both corrections; never fails. */
    public Future<Result> correct() {
        List<NodeResult> all = new ArrayList<>();
        int[] reserved = new int[1];
        return ownReservations()
                .compose(own -> {
                    reserved[0] = (int) own.stream()
                            .filter(r -> r.outcome() != Outcome.BUSY
                                    && r.outcome() != Outcome.ERROR
                                    && r.outcome() != Outcome.GONE)
                            .count();
                    all.addAll(own);
                    return unreservedStuck();
                })
                .map(stuck -> {
                    all.addAll(stuck);
                    Map<Outcome, Integer> c =
                            Recovery.count(all.stream().map(NodeResult::outcome).toList());
                    Result r = new Result(
                            reserved[0],
                            (int) all.stream().filter(NodeResult::powerCleared).count(),
                            c.getOrDefault(Outcome.FAILED, 0),
                            c.getOrDefault(Outcome.BUSY, 0),
                            c.getOrDefault(Outcome.ERROR, 0));
                    if (!all.isEmpty()) {
                        LOG.warn("Conductor {} corrected its stuck states after start: {}", host, r);
                    }
                    return r;
                })
                .recover(e -> {
                    LOG.error("stuck-state correction failed: {}", e.toString());
                    return Future.succeededFuture(new Result(0, 0, 0, 0, 1));
                });
    }

    private Future<List<NodeResult>> ownReservations() {
        return tasks.database()
                .reads()
                .preparedQuery("SELECT uuid::text AS uuid FROM nodes WHERE reservation IS NOT NULL"
                        + " AND lower(reservation) = lower($1)")
                .execute(Tuple.of(host))
                .compose(rows -> {
                    List<String> uuids = new ArrayList<>();
                    rows.forEach(r -> uuids.add(r.getString("uuid")));
                    if (!uuids.isEmpty()) {
                        LOG.warn(
                                "Conductor {} restarted with {} node(s) still reserved under its name: {}",
                                host,
                                uuids.size(),
                                uuids);
                    }
                    return Recovery.forEach(uuids, Takeover.CONCURRENCY, this::releaseOwn);
                });
    }

    private Future<NodeResult> releaseOwn(String uuid) {
        TaskOptions options = TaskOptions.exclusive("conductor restart")
                .bounded(previousLeaseWait)
                .withoutDriver()
                .withoutReservedWorkers();
        return tasks.withTask(uuid, options, task -> Recovery.clearPowerTarget(task, Recovery.RESTART_POWER)
                        .compose(power -> {
                            ProvisionState state = task.provisionState();
                            return Recovery.fail(task, Recovery.cantResume(state, host), false)
                                    .map(failed -> new NodeResult(failed ? Outcome.FAILED : Outcome.RELEASED, power));
                        }))
                .recover(e -> Future.succeededFuture(outcome(uuid, e)));
    }

    private Future<List<NodeResult>> unreservedStuck() {
        List<String> states = ProvisionState.STUCK_STATES_TREATED_AS_FAIL.stream()
                .map(ProvisionState::value)
                .toList();
        return tasks.database()
                .reads()
                .preparedQuery("SELECT uuid::text AS uuid, driver, conductor_group FROM nodes WHERE reservation IS NULL"
                        + " AND provision_state = ANY($1)")
                .execute(Tuple.tuple().addArrayOfString(states.toArray(new String[0])))
                .compose(rows -> {
                    List<String> mine = new ArrayList<>();
                    for (Row r : rows) {
                        if (ring.ownedHere(
                                r.getString("uuid"), r.getString("driver"), r.getString("conductor_group"))) {
                            mine.add(r.getString("uuid"));
                        }
                    }
                    return Recovery.forEach(mine, Takeover.CONCURRENCY, this::failStuck);
                });
    }

    private Future<NodeResult> failStuck(String uuid) {
        TaskOptions options = TaskOptions.exclusive("conductor restart")
                .tryOnce()
                .withoutDriver()
                .withoutReservedWorkers();
        return tasks.withTask(uuid, options, task -> Recovery.fail(
                                task, Recovery.cantResume(task.provisionState(), host), false)
                        .map(failed -> new NodeResult(failed ? Outcome.FAILED : Outcome.NOTHING, false)))
                .recover(e -> Future.succeededFuture(outcome(uuid, e)));
    }

    private NodeResult outcome(String uuid, Throwable e) {
        Outcome o = Recovery.classify(e);
        if (o == Outcome.ERROR) {
            LOG.warn("stuck-state correction of node {} failed: {}", uuid, e.toString());
        }
        return new NodeResult(o, false);
    }
}
