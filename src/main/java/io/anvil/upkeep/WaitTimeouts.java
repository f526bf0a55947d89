package io.anvil.upkeep;

import io.anvil.conductor.PowerActions;
import io.anvil.conductor.Provisioning;
import io.anvil.conductor.Task;
import io.anvil.fsm.PowerState;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
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
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code _check_*wait_timeouts} and {@code _fail_if_in_state} ({@code ironic/conductor/manager.py};
 * docs/periodics.md): nodes this conductor owns that sat in DEPLOYWAIT, CLEANWAIT, SERVICEWAIT or RESCUEWAIT longer
 * than the callback timeout since {@code provision_updated_at} (bumped by every heartbeat), or in INSPECTWAIT since
 * {@code inspection_started_at}, are failed. Maintenance and reserved nodes are skipped in SQL; locked ones are skipped
 * by the try-once lock; the state, maintenance and the timestamp are re-checked under the lock (a heartbeat that bumped
 * it meanwhile wins).
 *
 * <p>Unlike Ironic, a run is not limited to {@code periodic_max_workers} (8) nodes: every timed-out node is handled
 * in the same run, {@code periodic_max_workers} at a time, each clean-up on a worker-pool slot (never the reserved
 * share). The fail transition is written, with its notification, only when that slot is granted; a full pool ends
 * the run and the rest is retried next time.
 */
public final class WaitTimeouts {
    private static final Logger LOG = LoggerFactory.getLogger(WaitTimeouts.class);

    /** Ironic's faults.CLEAN_FAILURE and faults.SERVICE_FAILURE. */
    public static final String CLEAN_FAILURE = "clean failure";

    public static final String SERVICE_FAILURE = "service failure";

    /** Driver-internal keys wiped after a failed deploy (Ironic's wipe_deploy_internal_info + agent URL/token). */
    private static final List<String> DEPLOY_INTERNAL = List.of(
            "deploy_steps",
            "deploy_step_index",
            "deployment_reboot",
            "deployment_polling",
            "skip_current_deploy_step",
            "steps_validated",
            "agent_cached_deploy_steps",
            "agent_cached_deploy_steps_refreshed");

    private static final List<String> CLEAN_INTERNAL = List.of(
            "clean_step_index",
            "cleaning_reboot",
            "cleaning_polling",
            "skip_current_clean_step",
            "steps_validated",
            "agent_cached_clean_steps",
            "agent_cached_clean_steps_refreshed");
    private static final List<String> SERVICE_INTERNAL = List.of(
            "service_step_index",
            "servicing_reboot",
            "servicing_polling",
            "skip_current_service_step",
            "steps_validated",
            "agent_cached_service_steps");

    /** Timeouts (zero disables a check) and how many nodes are handled at once within a run. */
    public record Settings(
            Duration deployCallbackTimeout,
            Duration cleanCallbackTimeout,
            Duration inspectWaitTimeout,
            Duration rescueCallbackTimeout,
            Duration serviceCallbackTimeout,
            int concurrency) {}

    private final PowerActions power;
    private final Settings settings;

    public WaitTimeouts(PowerActions power, Settings settings) {
        this.power = power;
        this.settings = settings;
    }

    // ---- periodic tasks ----

    @Periodic(
            spacing = "conductor.check_provision_state_interval",
            enabled = "conductor.deploy_callback_timeout",
            name = "check_deploy_timeouts")
    public Future<WalkResult> checkDeployTimeouts(PeriodicContext ctx) {
        return checkDeployTimeouts(ctx.nodes(Task.class));
    }

    @Periodic(
            spacing = "conductor.check_provision_state_interval",
            enabled = "conductor.clean_callback_timeout",
            name = "check_cleanwait_timeouts")
    public Future<WalkResult> checkCleanwaitTimeouts(PeriodicContext ctx) {
        return checkCleanwaitTimeouts(ctx.nodes(Task.class));
    }

    @Periodic(
            spacing = "conductor.check_provision_state_interval",
            enabled = "conductor.service_callback_timeout",
            name = "check_servicewait_timeouts")
    public Future<WalkResult> checkServicewaitTimeouts(PeriodicContext ctx) {
        return checkServicewaitTimeouts(ctx.nodes(Task.class));
    }

    @Periodic(
            spacing = "conductor.check_provision_state_interval",
            enabled = "conductor.inspect_wait_timeout",
            name = "check_inspect_wait_timeouts")
    public Future<WalkResult> checkInspectWaitTimeouts(PeriodicContext ctx) {
        return checkInspectWaitTimeouts(ctx.nodes(Task.class));
    }

    @Periodic(
            spacing = "conductor.check_rescue_state_interval",
            enabled = "conductor.rescue_callback_timeout",
            name = "check_rescuewait_timeouts")
    public Future<WalkResult> checkRescuewaitTimeouts(PeriodicContext ctx) {
        return checkRescuewaitTimeouts(ctx.nodes(Task.class));
    }

    // ---- one run each ----

    /** DEPLOYWAIT → DEPLOYFAIL, then deploy clean-up. */
    public Future<WalkResult> checkDeployTimeouts(NodeWalker<Task> nodes) {
        return failIfInState(
                nodes, ProvisionState.DEPLOYWAIT, settings.deployCallbackTimeout(), "provision_updated_at", task -> {
                    String msg = "Timeout reached while waiting for callback for node " + task.uuid();
                    task.processEvent(
                            ProvisionEvent.FAIL,
                            Optional.empty(),
                            msg,
                            "cleanup_after_timeout",
                            t -> deployCleanUp(t, msg));
                    return Future.succeededFuture();
                });
    }

    /** CLEANWAIT → CLEANFAIL keeping the target; maintenance + fault only if a clean step was running. */
    public Future<WalkResult> checkCleanwaitTimeouts(NodeWalker<Task> nodes) {
        return failIfInState(
                nodes, ProvisionState.CLEANWAIT, settings.cleanCallbackTimeout(), "provision_updated_at", task -> {
                    JsonObject step = step(task.node(), "clean_step");
                    String msg =
                            "Timeout reached while cleaning the node. Please check if the ramdisk responsible for the "
                                    + "cleaning is running on the node. Failed on step "
                                    + (step == null ? "{}" : step.encode()) + ".";
                    task.processEvent(
                            ProvisionEvent.FAIL,
                            keptTarget(task),
                            msg,
                            "cleanup_cleanwait_timeout",
                            t -> stepFailed(
                                    t,
                                    msg,
                                    step != null,
                                    CLEAN_FAILURE,
                                    CLEAN_INTERNAL,
                                    () -> t.driver().deploy().tearDownCleaning(t),
                                    "cleaning"));
                    return Future.succeededFuture();
                });
    }

    /** SERVICEWAIT → SERVICEFAIL; maintenance + fault only if a service step was running. */
    public Future<WalkResult> checkServicewaitTimeouts(NodeWalker<Task> nodes) {
        return failIfInState(
                nodes, ProvisionState.SERVICEWAIT, settings.serviceCallbackTimeout(), "provision_updated_at", task -> {
                    JsonObject step = step(task.node(), "service_step");
                    String msg =
                            "Timeout reached while servicing the node. Please check if the ramdisk responsible for the "
                                    + "servicing is running on the node. Failed on step "
                                    + (step == null ? "{}" : step.encode()) + ".";
                    task.processEvent(
                            ProvisionEvent.FAIL,
                            Optional.empty(),
                            msg,
                            "cleanup_servicewait_timeout",
                            t -> stepFailed(
                                    t,
                                    msg,
                                    step != null,
                                    SERVICE_FAILURE,
                                    SERVICE_INTERNAL,
                                    () -> t.driver().deploy().tearDownService(t),
                                    "servicing"));
                    return Future.succeededFuture();
                });
    }

    /**
     * INSPECTWAIT → INSPECTFAIL, counted from inspection_started_at; then Ironic's cleanup_inspectwait_timeout: the
     * inspect interface's abort (the agent inspection powers the node off) and its last_error.
     */
    public Future<WalkResult> checkInspectWaitTimeouts(NodeWalker<Task> nodes) {
        return failIfInState(
                nodes, ProvisionState.INSPECTWAIT, settings.inspectWaitTimeout(), "inspection_started_at", task -> {
                    String msg = "Timeout reached while inspecting the node. Please check if the ramdisk responsible "
                            + "for the inspection is running on the node.";
                    task.processEvent(
                            ProvisionEvent.FAIL,
                            Optional.empty(),
                            "timeout reached while inspecting the node",
                            "cleanup_inspectwait_timeout",
                            t -> abortInspection(t, msg));
                    return Future.succeededFuture();
                });
    }

    private static Future<Void> abortInspection(Task task, String msg) {
        var inspect = task.driver() == null ? null : task.driver().inspect();
        Future<Void> aborted = inspect == null ? Future.succeededFuture() : inspect.abort(task);
        return aborted.transform(ar -> {
            if (ar.failed()) {
                LOG.warn(
                        "Clean-up of the timed-out inspection of node {} failed: {}",
                        task.uuid(),
                        ar.cause().toString());
            }
            return task.save(Map.of("last_error", msg)).<Void>mapEmpty();
        });
    }

    /** RESCUEWAIT → RESCUEFAIL, then power off and rescue clean-up. */
    public Future<WalkResult> checkRescuewaitTimeouts(NodeWalker<Task> nodes) {
        return failIfInState(
                nodes, ProvisionState.RESCUEWAIT, settings.rescueCallbackTimeout(), "provision_updated_at", task -> {
                    String msg = "Timeout reached while waiting for rescue ramdisk callback for node";
                    task.processEvent(
                            ProvisionEvent.FAIL,
                            Optional.empty(),
                            msg,
                            "cleanup_rescuewait_timeout",
                            t -> rescueCleanUp(t, msg));
                    return Future.succeededFuture();
                });
    }

    /** What to do with one timed-out node under its exclusive task: fail now, or schedule the deferred fail. */
    @FunctionalInterface
    private interface OnTimeout {
        Future<Void> apply(Task task);
    }

    /** _fail_if_in_state without the per-run limit. */
    private Future<WalkResult> failIfInState(
            NodeWalker<Task> nodes, ProvisionState state, Duration timeout, String column, OnTimeout onTimeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return Future.succeededFuture(new WalkResult(0, 0, 0, 0, 0, 0, false));
        }
        NodeFilter filter = NodeFilter.all()
                .provisionState(state)
                .maintenance(false)
                .unreserved()
                .olderThan(column, timeout)
                .orderBy(column, true);
        Walk walk = Walk.exclusive("checking " + state.value() + " timeout").concurrency(settings.concurrency());
        return nodes.forEach(filter, walk, (task, listed) -> {
                    if (!stillTimedOut(task.node(), listed, state, column)) {
                        return Future.succeededFuture(Visit.CONTINUE);
                    }
                    LOG.info(
                            "Node {} timed out in \"{}\" ({} since {})",
                            task.uuid(),
                            state.value(),
                            timeout,
                            listed.row().getString(column));
                    return onTimeout.apply(task).map(Visit.CONTINUE);
                })
                .onSuccess(r -> {
                    if (r.listed() > 0) {
                        LOG.info(
                                "{} timeouts: {} node(s) timed out, {} failed now, {} locked, {} gone{}",
                                state.value(),
                                r.listed(),
                                r.visited(),
                                r.locked(),
                                r.gone(),
                                r.stoppedEarly() ? ", run ended early" : "");
                    }
                });
    }

    /** Under the lock: same state, not in maintenance, and the clock was not reset (no heartbeat) since listing. */
    private static boolean stillTimedOut(JsonObject node, NodeRef listed, ProvisionState state, String column) {
        return state.value().equals(node.getString("provision_state"))
                && !Boolean.TRUE.equals(node.getBoolean("maintenance"))
                && Objects.equals(node.getString(column), listed.row().getString(column));
    }

    private static Optional<ProvisionState> keptTarget(Task task) {
        return ProvisionState.targetFromValue(task.node().getString("target_provision_state"));
    }

    /** The running step, or null when none ({} or NULL). */
    private static JsonObject step(JsonObject node, String column) {
        Object v = node.getValue(column);
        return v instanceof JsonObject o && !o.isEmpty() ? o : null;
    }

    /** A driver's clean-up call; a throw fails it, and a null answer counts as done. */
    private static Future<Void> safely(Supplier<Future<Void>> call) {
        return Futures.attempt(() -> {
            Future<Void> f = call.get();
            return f == null ? Future.succeededFuture() : f;
        });
    }

    private static JsonObject wiped(JsonObject internal, List<String> keys) {
        JsonObject out = internal == null ? new JsonObject() : internal.copy();
        keys.forEach(out::remove);
        out.remove("agent_url");
        if (!Boolean.TRUE.equals(out.getBoolean("agent_secret_token_pregenerated"))) {
            out.remove("agent_secret_token");
            out.remove("agent_secret_token_pregenerated");
        }
        return out;
    }

    /** Ironic's cleanup_after_timeout → deploying_error_handler: deploy.clean_up, clear the deploy step. */
    private Future<Void> deployCleanUp(Task task, String msg) {
        LOG.error(msg);
        return safely(() -> task.driver().deploy().cleanUp(task)).transform(ar -> {
            Map<String, Object> cols = new HashMap<>();
            cols.put("deploy_step", new JsonObject());
            cols.put("driver_internal_info", wiped(task.node().getJsonObject("driver_internal_info"), DEPLOY_INTERNAL));
            if (ar.failed()) {
                LOG.error("Cleanup failed for node {}; reason: {}", task.uuid(), Provisioning.message(ar.cause()));
                cols.put("last_error", msg + ". Also failed to clean up due to: " + Provisioning.message(ar.cause()));
            }
            return task.save(cols).mapEmpty();
        });
    }

    /** Ironic's cleaning_/servicing_error_handler with set_fail_state=False (the node already failed). */
    private Future<Void> stepFailed(
            Task task,
            String msg,
            boolean stepRunning,
            String fault,
            List<String> internalKeys,
            Supplier<Future<Void>> tearDown,
            String what) {
        LOG.error("{} for node {} failed. {}", what, task.uuid(), msg);
        return safely(tearDown).transform(ar -> {
            String error = msg;
            if (ar.failed()) {
                error = msg + " Failed to tear down " + what + " on node " + task.uuid() + ", reason: "
                        + Provisioning.message(ar.cause());
            }
            Map<String, Object> cols = new HashMap<>();
            cols.put("driver_internal_info", wiped(task.node().getJsonObject("driver_internal_info"), internalKeys));
            cols.put("last_error", error);
            if (stepRunning) {
                cols.put("maintenance", true);
                cols.put("fault", fault);
                if (task.node().getString("maintenance_reason") == null) {
                    cols.put("maintenance_reason", error);
                }
            }
            return task.save(cols).mapEmpty();
        });
    }

    /** Ironic's cleanup_rescuewait_timeout → rescuing_error_handler: power off, rescue clean-up, agent URL wiped. */
    private Future<Void> rescueCleanUp(Task task, String msg) {
        LOG.error("{} {}", msg, task.uuid());
        return power.nodePowerAction(task, PowerState.POWER_OFF, PowerActions.DEFAULT_TIMEOUT)
                .compose(v -> task.driver().rescue() == null
                        ? Future.<Void>succeededFuture()
                        : safely(() -> task.driver().rescue().cleanUp(task)))
                .transform(ar -> {
                    Map<String, Object> cols = new HashMap<>();
                    cols.put(
                            "driver_internal_info",
                            wiped(task.node().getJsonObject("driver_internal_info"), List.of()));
                    cols.put(
                            "last_error",
                            ar.succeeded()
                                    ? msg
                                    : "Rescue operation was unsuccessful, clean up failed for node: "
                                            + Provisioning.message(ar.cause()));
                    return task.save(cols).mapEmpty();
                });
    }
}
