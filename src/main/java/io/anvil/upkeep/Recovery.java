package io.anvil.upkeep;

import io.anvil.conductor.ConductorErrors;
import io.anvil.conductor.Task;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.lock.LeaseLostException;
import io.anvil.lock.NodeLockedException;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What take-over ({@link Takeover}) and restart recovery ({@link StuckStates}) share: Ironic's recovery messages,
 * the fail transition of an abandoned node, and bounded-concurrency iteration (no "8 nodes per run" limit, but
 * never thousands of lock requests at once).
 */
public final class Recovery {
    public static final String TAKEOVER_POWER = "Pending power operation was aborted due to conductor take over";
    public static final String TAKEOVER_ABORT = "Operation was aborted due to conductor take over";
    public static final String RESTART_POWER = "Pending power operation was aborted due to conductor restart";
    public static final String CLEAN_FAILURE = "clean failure";

    /** How one node ended in a sweep. */
    enum Outcome {
        NOTHING,
        RELEASED,
        POWER_CLEARED,
        FAILED,
        POWER_CLEARED_AND_FAILED,
        TOOK_OVER,
        BUSY,
        GONE,
        ERROR
    }

    private Recovery() {}

    /** Ironic's _correct_stuck_states message. */
    static String cantResume(ProvisionState state, String host) {
        return "The " + state.value() + " state can't be resumed by conductor " + host + ". Moving to fail state.";
    }

    /** Clears a pending power target under the task, with Ironic's message. */
    static Future<Boolean> clearPowerTarget(Task task, String message) {
        if (task.node().getString("target_power_state") == null) {
            return Future.succeededFuture(false);
        }
        Map<String, Object> cols = new HashMap<>();
        cols.put("target_power_state", null);
        cols.put("last_error", message);
        return task.save(cols).map(true);
    }

    /**
     * Moves a node in a STUCK_STATES_TREATED_AS_FAIL state to its fail state with {@code message}; manual cleaning
     * keeps its {@code manageable} target (as Provisioning's error handler). With {@code cleaningErrorHandler}, a
     * CLEANING node whose clean step was running also goes into maintenance with fault "clean failure" (Ironic's
     * cleaning_error_handler on take-over).
     */
    static Future<Boolean> fail(Task task, String message, boolean cleaningErrorHandler) {
        ProvisionState state = task.provisionState();
        if (!ProvisionState.STUCK_STATES_TREATED_AS_FAIL.contains(state)) {
            return Future.succeededFuture(false);
        }
        Optional<ProvisionState> keep = ProvisionState.targetFromValue(
                        task.node().getString("target_provision_state"))
                .filter(t -> t == ProvisionState.MANAGEABLE && state == ProvisionState.CLEANING);
        boolean stepRunning = cleaningErrorHandler && state == ProvisionState.CLEANING && stepSet(task.node());
        return task.processEvent(ProvisionEvent.FAIL, keep, false, message).compose(v -> {
            if (!stepRunning) {
                return Future.succeededFuture(true);
            }
            Map<String, Object> cols = new HashMap<>();
            cols.put("maintenance", true);
            cols.put("maintenance_reason", message);
            cols.put("fault", CLEAN_FAILURE);
            return task.save(cols).map(true);
        });
    }

    private static boolean stepSet(JsonObject node) {
        Object step = node.getValue("clean_step");
        if (step instanceof JsonObject o) {
            return !o.isEmpty();
        }
        return step instanceof String s && !s.isBlank() && !"{}".equals(s.trim()) && !"null".equals(s.trim());
    }

    /** Classifies a failed attempt on one node: someone holds it (retry later), it is gone, or a real error. */
    static Outcome classify(Throwable e) {
        if (e instanceof NodeLockedException
                || e instanceof ConductorErrors.LeaseLost
                || e instanceof LeaseLostException) {
            return Outcome.BUSY;
        }
        if (e instanceof ConductorErrors.NodeNotFound) {
            return Outcome.GONE;
        }
        return Outcome.ERROR;
    }

    /** Applies {@code work} to every item with at most {@code concurrency} in flight; never fails. */
    static <T, R> Future<List<R>> forEach(List<T> items, int concurrency, Function<T, Future<R>> work) {
        if (items.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<R> results = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger lanes = new AtomicInteger(Math.min(concurrency, items.size()));
        Promise<List<R>> done = Promise.promise();
        int n = lanes.get();
        for (int i = 0; i < n; i++) {
            lane(items, next, work, results, lanes, done);
        }
        return done.future();
    }

    private static <T, R> void lane(
            List<T> items,
            AtomicInteger next,
            Function<T, Future<R>> work,
            List<R> results,
            AtomicInteger lanes,
            Promise<List<R>> done) {
        while (true) {
            int i = next.getAndIncrement();
            if (i >= items.size()) {
                if (lanes.decrementAndGet() == 0) {
                    done.tryComplete(new ArrayList<>(results));
                }
                return;
            }
            Future<R> f = Futures.attempt(() -> work.apply(items.get(i)));
            if (f.isComplete()) { // loop rather than recurse: no deep stacks on fast failures
                record(f, results);
                continue;
            }
            f.onComplete(ar -> {
                record(ar, results);
                lane(items, next, work, results, lanes, done);
            });
            return;
        }
    }

    private static <R> void record(io.vertx.core.AsyncResult<R> ar, List<R> results) {
        if (ar.succeeded() && ar.result() != null) {
            results.add(ar.result());
        }
    }

    /** Counts outcomes. */
    static Map<Outcome, Integer> count(List<Outcome> outcomes) {
        Map<Outcome, Integer> m = new java.util.EnumMap<>(Outcome.class);
        outcomes.forEach(o -> m.merge(o, 1, Integer::sum));
        return m;
    }
}
