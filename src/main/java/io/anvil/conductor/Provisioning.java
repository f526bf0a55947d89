package io.anvil.conductor;

import static io.anvil.fsm.ProvisionState.DEPLOYWAIT;
import static io.anvil.fsm.ProvisionState.ENROLL;
import static io.anvil.fsm.ProvisionState.MANAGEABLE;

import io.anvil.conductor.steps.DriverSteps;
import io.anvil.conductor.steps.StepSettings;
import io.anvil.conductor.steps.StepType;
import io.anvil.conductor.steps.StepValidationException;
import io.anvil.conductor.steps.UserSteps;
import io.anvil.driver.StepOutcome;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ApiVerb;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's provisioning actions (do_node_deploy, do_node_tear_down, do_provisioning_action, inspect, clean,
 * rescue, service) and the patient deploy continuation. Each validates under the exclusive lock, then defers its
 * state change to its worker's start; workers end in done/wait or in the fail state with last_error set.
 */
public final class Provisioning {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);
    private final TaskManager tasks;
    private final LongSupplier conductorId;
    private final StepEngine steps;
    private final ConcurrentActions limits;

    /** @param conductorId this conductor's {@code conductors.id} (negative while unregistered) */
    public Provisioning(TaskManager tasks, LongSupplier conductorId, StepEngine steps) {
        this.tasks = tasks;
        this.conductorId = conductorId;
        this.steps = steps;
        this.limits = new ConcurrentActions(tasks.database(), steps.settings());
    }

    /** Without a conductor registry (tests of single services): deploys record no conductor_affinity. */
    public Provisioning(TaskManager tasks) {
        this(tasks, () -> -1, new StepEngine(StepSettings.defaults()));
    }

    public StepEngine steps() {
        return steps;
    }

    /** This conductor's {@code conductors.id} (negative while unregistered). */
    public LongSupplier conductorId() {
        return conductorId;
    }

    /** Completes when the new state is stored and the work has started (the API then answers 202). */
    public Future<Void> provision(String ident, ApiVerb verb, JsonObject body) {
        return tasks.withTask(ident, TaskOptions.exclusive("provision action " + verb.target()), task -> {
            ProvisionState state = task.provisionState();
            // only the "rebuild" target rebuilds (Ironic: rebuild = target == 'rebuild'); a deploy that finds the node
            // ACTIVE under the lock (a duplicate request queued behind the first) is refused, never escalated
            ProvisionEvent event = verb.event();
            if (!tasks.fsm().isActionable(state, event)) {
                return Future.failedFuture(new ConductorErrors.InvalidState("The requested action \"" + verb.target()
                        + "\" can not be performed on node \"" + task.uuid() + "\" while it is in state \""
                        + state.value()
                        + "\"."));
            }
            Future<Void> prepared = limits.check(verb)
                    .compose(v -> validateDeploy(task, verb))
                    .compose(v -> checkDeploySteps(task, verb, body))
                    .compose(v -> prepare(task, verb, body));
            return prepared.map(v -> {
                schedule(task, verb, event, body);
                return (Void) null;
            });
        });
    }

    /**
     * Ironic's do_node_deploy validation before anything changes (400): the deploy interface's needs (an image for
     * {@code direct}) and, for an agent deploy, the boot interface's (ports, ramdisk images for {@code ipxe}).
     */
    private Future<Void> validateDeploy(Task task, ApiVerb verb) {
        if (verb != ApiVerb.ACTIVE && verb != ApiVerb.DEPLOY && verb != ApiVerb.REBUILD) {
            return Future.succeededFuture();
        }
        var deploy = task.driver().deploy();
        var boot = tasks.drivers().bootFor(task.node());
        return Futures.attempt(() -> {
                    deploy.validate(task);
                    if (boot == null || !deploy.usesAgent()) {
                        return Future.<Void>succeededFuture();
                    }
                    return task.ports().map(ports -> {
                        boot.validate(task.node(), ports);
                        return (Void) null;
                    });
                })
                .recover(e -> Future.failedFuture(
                        e instanceof AnvilException a && a.status() == 400
                                ? AnvilException.invalid("Failed to validate deploy or power info for node "
                                        + task.uuid() + ". Error: " + a.getMessage())
                                : e));
    }

    /**
     * The user's deploy_steps are checked against the driver's steps before anything changes (Ironic's do_node_deploy
     * validates them before the state moves: 400). In-band steps are checked once the agent has reported its own.
     */
    private Future<Void> checkDeploySteps(Task task, ApiVerb verb, JsonObject body) {
        if (verb != ApiVerb.ACTIVE && verb != ApiVerb.DEPLOY && verb != ApiVerb.REBUILD) {
            return Future.succeededFuture();
        }
        return checkDeployTemplates(task).compose(v -> checkUserDeploySteps(task, body));
    }

    /**
     * Ironic's do_node_deploy checks instance_info.traits and the steps of the deploy templates they name before the
     * state moves (400); in-band steps are checked once the agent has reported its own.
     */
    private Future<Void> checkDeployTemplates(Task task) {
        return Futures.attempt(() -> {
                    DeployTemplates.checkInstanceTraits(task.node());
                    return DeployTemplates.matching(task);
                })
                .map(templates -> {
                    DeployTemplates.validated(
                            templates,
                            DriverSteps.collect(StepType.DEPLOY, StepEngine.interfaces(task.driver())),
                            true);
                    return (Void) null;
                })
                .recover(e -> Future.failedFuture(
                        e instanceof AnvilException a && a.status() == 400
                                ? AnvilException.invalid("Failed to validate deploy or power info for node "
                                        + task.uuid() + ": " + a.getMessage())
                                : e));
    }

    private Future<Void> checkUserDeploySteps(Task task, JsonObject body) {
        if (!(body.getValue("deploy_steps") instanceof JsonArray user) || user.isEmpty()) {
            return Future.succeededFuture();
        }
        try {
            List<JsonObject> list = new ArrayList<>();
            user.forEach(o -> list.add((JsonObject) o));
            UserSteps.validate(
                    StepType.DEPLOY,
                    list,
                    DriverSteps.collect(StepType.DEPLOY, StepEngine.interfaces(task.driver())),
                    true,
                    false,
                    UserSteps.DEPLOY_ARGUMENT_PREFIX);
            return Future.succeededFuture();
        } catch (StepValidationException e) {
            return Future.failedFuture(AnvilException.invalid(e.getMessage()));
        }
    }

    /** Stores what the request carries (configdrive, rescue password) before the transition. */
    private Future<Void> prepare(Task task, ApiVerb verb, JsonObject body) {
        JsonObject info = task.node().getJsonObject("instance_info").copy();
        boolean changed = false;
        if ((verb == ApiVerb.ACTIVE || verb == ApiVerb.DEPLOY || verb == ApiVerb.REBUILD)
                && body.getValue("configdrive") != null) {
            info.put("configdrive", body.getValue("configdrive"));
            changed = true;
        }
        if (verb == ApiVerb.RESCUE) {
            info.put("rescue_password", body.getString("rescue_password"));
            changed = true;
        }
        return changed ? task.save(Map.of("instance_info", info)).mapEmpty() : Future.succeededFuture();
    }

    private void schedule(Task task, ApiVerb verb, ProvisionEvent event, JsonObject body) {
        ProvisionState state = task.provisionState();
        switch (verb) {
            case ACTIVE, DEPLOY, REBUILD ->
                task.processEvent(
                        event,
                        Optional.empty(),
                        "",
                        "do_node_deploy",
                        t -> deploy(t, body.getJsonArray("deploy_steps")));
            case DELETED, UNDEPLOY ->
                task.processEvent(event, Optional.empty(), "", "do_node_tear_down", this::tearDown);
            case MANAGE -> {
                if (state == ENROLL) {
                    task.processEvent(event, Optional.empty(), "", "verify_node", this::verify);
                } else {
                    task.spawnAfter(
                            "manage",
                            t -> t.processEvent(event, Optional.empty(), false, ""),
                            t -> Future.succeededFuture());
                }
            }
            case PROVIDE ->
                task.processEvent(event, Optional.empty(), "", "do_node_clean", t -> steps.startClean(t, null));
            case CLEAN ->
                task.processEvent(
                        event,
                        Optional.of(MANAGEABLE),
                        "",
                        "do_node_clean",
                        t -> steps.startClean(t, body.getJsonArray("clean_steps")));
            case INSPECT -> task.processEvent(event, Optional.empty(), "", "inspect_hardware", this::inspect);
            case ADOPT -> task.processEvent(event, Optional.empty(), "", "do_node_adopt", this::adopt);
            case RESCUE -> task.processEvent(event, Optional.empty(), "", "do_node_rescue", this::rescue);
            case UNRESCUE -> task.processEvent(event, Optional.empty(), "", "do_node_unrescue", this::unrescue);
            case SERVICE ->
                task.processEvent(
                        event,
                        Optional.empty(),
                        "",
                        "do_node_service",
                        t -> steps.startService(t, body.getJsonArray("service_steps")));
            case ABORT -> {
                if (state == ProvisionState.INSPECTWAIT) {
                    // Ironic's abort_inspection: "inspect failed" with its message, then the ramdisk's clean-up
                    task.spawnAfter(
                            "abort_inspection",
                            t -> t.processEvent(event, Optional.empty(), false, "Inspection was aborted by request."),
                            Provisioning::abortInspection);
                } else if (stepsRunIn(state)) {
                    // decided before the API answers: the node fails now, or its running step is marked abort_after
                    AtomicReference<StepEngine.AbortDecision> decision = new AtomicReference<>();
                    task.spawnAfter(
                            "abort",
                            t -> steps.abort(t).map(d -> {
                                decision.set(d);
                                return (Void) null;
                            }),
                            t -> decision.get() == StepEngine.AbortDecision.ABORTED
                                    ? steps.abortTearDown(t)
                                    : Future.succeededFuture());
                } else {
                    task.spawnAfter(
                            verb.target(),
                            t -> t.processEvent(event, Optional.empty(), false, null),
                            state == ProvisionState.RESCUEWAIT ? this::rescueAbort : t -> Future.succeededFuture());
                }
            }
            case UNHOLD ->
                task.spawnAfter(
                        verb.target(),
                        t -> t.processEvent(event, Optional.empty(), state == ProvisionState.CLEANHOLD, null),
                        steps::afterUnhold);
            default -> throw AnvilException.invalid("Unsupported provision target " + verb.target());
        }
    }

    /** The inspect interface's abort (power off, agent keys gone); a failure is logged, the node stays failed. */
    static Future<Void> abortInspection(Task task) {
        var inspect = task.driver().inspect();
        if (inspect == null) {
            return Future.succeededFuture();
        }
        return Futures.attempt(() -> inspect.abort(task)).recover(e -> {
            LOG.warn("Clean-up of the aborted inspection of node {} failed: {}", task.uuid(), message(e));
            return Future.succeededFuture();
        });
    }

    /** Wait and hold states whose abort the step engine handles (Ironic's abort of clean/deploy/service). */
    private static boolean stepsRunIn(ProvisionState state) {
        return switch (state) {
            case CLEANWAIT, CLEANHOLD, DEPLOYWAIT, DEPLOYHOLD, SERVICEWAIT, SERVICEHOLD -> true;
            default -> false;
        };
    }

    /**
     * Ironic's continue_node_deploy: the patient hand-off after an asynchronous deploy step finished. It queues
     * fairly behind whoever holds the node (a console, a power sync) and is never starved. If no worker is free
     * the node stays in "wait call-back" so the next heartbeat or the timeout recovers it
     * (docs/architecture.md#ironic-scenarios, scenario 7).
     */
    public Future<Void> continueDeploy(String ident) {
        return tasks.withTask(
                ident, TaskOptions.exclusive("continue deploy").patient().withoutReservedWorkers(), task -> {
                    if (task.provisionState() != DEPLOYWAIT) {
                        return Future.failedFuture(new ConductorErrors.InvalidStateRequested(
                                "Cannot continue deploy of node " + task.uuid() + " in state \""
                                        + task.provisionState().value() + "\"."));
                    }
                    task.processEvent(
                            ProvisionEvent.RESUME,
                            Optional.empty(),
                            null,
                            "continue_node_deploy",
                            t -> steps.continueResumed(t, StepType.DEPLOY));
                    return Future.succeededFuture();
                });
    }

    // ---- workers ----

    /** Ironic's do_node_deploy: the deploying conductor becomes the node's affinity, so its own take-over skips it. */
    private Future<Void> deploy(Task task, JsonArray userSteps) {
        long me = conductorId.getAsLong();
        Future<Void> affinity = me < 0
                ? Future.succeededFuture()
                : task.save(Map.of("conductor_affinity", me)).mapEmpty();
        return affinity.compose(v -> steps.startDeploy(task, userSteps))
                .recover(e -> fail(task, "Failed to deploy: " + message(e)));
    }

    private Future<Void> tearDown(Task task) {
        return task.driver()
                .deploy()
                .tearDown(task)
                .compose(v -> task.save(Map.of("instance_info", new JsonObject())))
                // Ironic's do_node_tear_down destroys the node's allocation, freeing its instance_uuid
                .compose(v -> new Allocations(tasks).releaseForNode(task))
                .compose(v -> task.processEvent(ProvisionEvent.CLEAN))
                .compose(v -> steps.startClean(task, null))
                .recover(e -> fail(task, "Failed to tear down: " + message(e)));
    }

    private Future<Void> verify(Task task) {
        return task.driver()
                .power()
                .validate(task)
                .compose(v -> task.driver().power().getPowerState(task))
                .compose(power -> task.save(java.util.Collections.singletonMap("power_state", power)))
                .compose(v -> task.processEvent(ProvisionEvent.DONE))
                .recover(e -> fail(task, "Failed to verify node: " + message(e)));
    }

    private Future<Void> inspect(Task task) {
        if (task.driver().inspect() == null) {
            return fail(task, "Inspection is not supported by the inspect interface of node " + task.uuid());
        }
        return task.save(Map.of("inspection_started_at", OffsetDateTime.now()))
                .compose(v -> task.driver().inspect().inspect(task))
                .compose(outcome -> outcome == StepOutcome.WAIT
                        ? task.processEvent(ProvisionEvent.WAIT)
                        : task.save(Map.of("inspection_finished_at", OffsetDateTime.now()))
                                .compose(v -> task.processEvent(ProvisionEvent.DONE)))
                .recover(e -> fail(task, "Failed to inspect hardware: " + message(e)));
    }

    private Future<Void> adopt(Task task) {
        return task.driver()
                .deploy()
                .takeOver(task)
                .compose(v -> task.processEvent(ProvisionEvent.DONE))
                .recover(e -> fail(task, "Error while attempting to adopt node " + task.uuid() + ": " + message(e)));
    }

    private Future<Void> rescue(Task task) {
        if (task.driver().rescue() == null) {
            return fail(task, "Rescue is not supported by the rescue interface of node " + task.uuid());
        }
        return finishStep(task, task.driver().rescue().rescue(task), ProvisionEvent.DONE, "rescue");
    }

    private Future<Void> unrescue(Task task) {
        if (task.driver().rescue() == null) {
            return fail(task, "Unrescue is not supported by the rescue interface of node " + task.uuid());
        }
        return task.driver()
                .rescue()
                .unrescue(task)
                .compose(v -> {
                    JsonObject info = task.node().getJsonObject("instance_info").copy();
                    info.remove("rescue_password");
                    info.remove("hashed_rescue_password");
                    return task.save(Map.of("instance_info", info));
                })
                .compose(v -> task.processEvent(ProvisionEvent.DONE))
                .recover(e -> fail(task, "Failed to unrescue: " + message(e)));
    }

    /**
     * Ironic's _do_node_rescue_abort, after "rescue wait" → "rescue failed": the rescue interface cleans up (the
     * rescue password goes) and the rescue agent's URL is forgotten; the node keeps its power. A failed clean-up puts
     * the node in maintenance with fault "rescue abort failure".
     */
    private Future<Void> rescueAbort(Task task) {
        var rescue = task.driver().rescue();
        Future<Void> cleaned = rescue == null ? Future.succeededFuture() : rescue.cleanUp(task);
        return cleaned.transform(ar -> {
            Map<String, Object> cols = new java.util.HashMap<>();
            JsonObject internal = task.node().getJsonObject("driver_internal_info");
            if (internal != null && internal.containsKey("agent_url")) {
                JsonObject copy = internal.copy();
                copy.remove("agent_url");
                cols.put("driver_internal_info", copy);
            }
            if (ar.failed()) {
                String error = "Failed to clean up rescue after aborting the operation";
                cols.put("maintenance", true);
                cols.put("maintenance_reason", error);
                cols.put("fault", "rescue abort failure");
                cols.put("last_error", error);
                org.slf4j.LoggerFactory.getLogger(Provisioning.class)
                        .error(
                                "Failed to clean up rescue for node {} after aborting it: {}",
                                task.uuid(),
                                message(ar.cause()));
            }
            return cols.isEmpty() ? Future.succeededFuture() : task.save(cols).mapEmpty();
        });
    }

    /** DONE → {@code end} event; WAIT → wait; failure → fail with last_error. */
    private Future<Void> finishStep(Task task, Future<StepOutcome> step, ProvisionEvent end, String what) {
        return step.compose(outcome -> task.processEvent(outcome == StepOutcome.WAIT ? ProvisionEvent.WAIT : end))
                .recover(e -> fail(task, "Failed to " + what + ": " + message(e)));
    }

    /** Ironic's *_error_handler: fail event, last_error, the target kept for manual cleaning. */
    private Future<Void> fail(Task task, String error) {
        if (!task.lease().isValid()) {
            return Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()));
        }
        Optional<ProvisionState> keep = ProvisionState.targetFromValue(
                        task.node().getString("target_provision_state"))
                .filter(t -> t == MANAGEABLE && task.provisionState() == ProvisionState.CLEANING);
        return task.processEvent(ProvisionEvent.FAIL, keep, false, error);
    }

    /** The error as last_error shows it: its message, or its class name when it has none. */
    public static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
