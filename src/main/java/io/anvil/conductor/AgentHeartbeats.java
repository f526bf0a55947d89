package io.anvil.conductor;

import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.DeployInterface;
import io.anvil.driver.agent.AgentInternalInfo;
import io.anvil.fsm.PowerState;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conductor's side of a heartbeat that brings work (docs/agent.md): Ironic's {@code HeartbeatMixin.heartbeat}
 * after its {@code upgrade_lock}, but the lock is taken as a <em>patient</em> waiter in the node's fair queue, so a
 * console or an API client holding the node only delays the continuation, never drops it (Ironic drops it: "will
 * retry on the next heartbeat"). The work runs on a worker slot outside the reserved share; with no free slot the
 * node simply stays in its wait state and the next heartbeat (or the timeout) recovers it.
 *
 * <p>"wait call-back", "clean wait" and "service wait" go to the {@link StepEngine}; "rescue wait" to the rescue
 * interface.
 */
public final class AgentHeartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHeartbeats.class);

    private final TaskManager tasks;
    private final StepEngine steps;

    public AgentHeartbeats(TaskManager tasks, StepEngine steps) {
        this.tasks = tasks;
        this.steps = steps;
    }

    /**
     * Takes the node patiently, re-checks under the lock that the heartbeat still has work (the state may have
     * moved on while it queued) and runs the deploy interface's heartbeat hook. Completes when the work is done.
     */
    public Future<Void> continueAfterHeartbeat(String uuid, AgentReport report) {
        return tasks.withTask(uuid, TaskOptions.exclusive("heartbeat").patient().withoutReservedWorkers(), task -> {
            DeployInterface deploy = task.driver().deploy();
            ProvisionState state = task.provisionState();
            if (Boolean.TRUE.equals(task.node().getBoolean("maintenance"))
                    || !deploy.continuesOnHeartbeat(state.value())) {
                // Ironic (allow_provisioning_in_maintenance=True): a node in maintenance only records liveness
                return Future.<Void>succeededFuture();
            }
            task.spawnAfter("heartbeat", null, t -> work(t, deploy, report));
            return Future.<Void>succeededFuture();
        });
    }

    private Future<Void> work(Task task, DeployInterface deploy, AgentReport report) {
        if (task.provisionState() == ProvisionState.RESCUEWAIT) {
            return rescueWait(task, report);
        }
        return steps.heartbeat(task, report);
    }

    /**
     * "rescue wait": the rescue interface hands the password to the agent (Ironic's _finalize_rescue); done → resume,
     * clean up the rescue boot, "rescue". A failure is Ironic's rescuing_error_handler: clean up, "rescue failed".
     */
    private Future<Void> rescueWait(Task task, AgentReport report) {
        var rescue = task.driver().rescue();
        if (rescue == null) {
            return Future.succeededFuture();
        }
        Future<AsyncStepStatus> status;
        try {
            status = rescue.heartbeat(task, report);
        } catch (RuntimeException e) {
            status = Future.failedFuture(e);
        }
        return status.transform(ar -> {
            if (ar.failed()) {
                return failRescue(task, "Failed to finalize rescue: " + Provisioning.message(ar.cause()));
            }
            AsyncStepStatus s = ar.result();
            return switch (s.kind()) {
                case RUNNING -> Future.<Void>succeededFuture();
                case FAILED -> failRescue(task, s.error());
                case SUCCEEDED ->
                    task.processEvent(ProvisionEvent.RESUME)
                            .compose(v -> rescue.cleanUp(task))
                            .compose(v -> task.processEvent(ProvisionEvent.DONE))
                            .recover(e -> failRescue(task, "Failed to finish rescue: " + Provisioning.message(e)));
            };
        });
    }

    private Future<Void> failRescue(Task task, String error) {
        if (!task.lease().isValid()) {
            return Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()));
        }
        LOG.error("Rescue of node {} failed: {}", task.uuid(), error);
        var rescue = task.driver().rescue();
        // Ironic's rescuing_error_handler powers the node off first: a ramdisk that did not finish rescue keeps
        // serving its agent API; its token and URL go with it
        Future<Void> cleaned = task.driver()
                .power()
                .setPowerState(task, PowerState.POWER_OFF.value(), PowerActions.DEFAULT_TIMEOUT)
                .compose(v -> {
                    JsonObject wiped =
                            AgentInternalInfo.wipedOnPowerOff(task.node().getJsonObject("driver_internal_info"));
                    Map<String, Object> cols = new java.util.HashMap<>();
                    cols.put("power_state", PowerState.POWER_OFF.value());
                    if (wiped != null) {
                        cols.put("driver_internal_info", wiped);
                    }
                    return task.save(cols).<Void>mapEmpty();
                })
                .compose(v -> rescue == null ? Future.<Void>succeededFuture() : rescue.cleanUp(task));
        return cleaned.transform(ar -> {
            if (ar.failed()) {
                LOG.warn(
                        "Rescue clean-up of node {} failed: {}",
                        task.uuid(),
                        ar.cause().toString());
            }
            ProvisionState state = task.provisionState();
            return state == ProvisionState.RESCUEWAIT || state == ProvisionState.RESCUING
                    ? task.processEvent(ProvisionEvent.FAIL, Optional.empty(), false, error)
                    : Future.<Void>succeededFuture();
        });
    }
}
