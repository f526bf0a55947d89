package io.anvil.conductor;

import io.anvil.conductor.steps.AgentSteps;
import io.anvil.conductor.steps.DriverSteps;
import io.anvil.conductor.steps.ReservedStep;
import io.anvil.conductor.steps.Step;
import io.anvil.conductor.steps.StepPlanner;
import io.anvil.conductor.steps.StepProgress;
import io.anvil.conductor.steps.StepSettings;
import io.anvil.conductor.steps.StepType;
import io.anvil.conductor.steps.UserSteps;
import io.anvil.driver.AgentCommandStarted;
import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.DeployInterface;
import io.anvil.driver.Driver;
import io.anvil.driver.RebootPoll;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.agent.AgentInternalInfo;
import io.anvil.fsm.PowerState;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.fsm.ProvisionStateMachine;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a node's deploy, clean and service steps (Ironic's conductor/deployments.py, cleaning.py, servicing.py and
 * steps.py; docs/steps.md). Every method runs under the node's exclusive lock, in a conductor worker, and leaves the
 * node in a defined state: the working state while a step runs, the wait state while the agent works (the lock is
 * then released; the next heartbeat continues through {@link #heartbeat}), the hold state at a {@code hold} step,
 * or done/fail with {@code last_error}.
 *
 * <p>Before each step the plan, the step's index and the step itself are written with the node (StepProgress), so
 * whichever conductor holds the node next continues from there. The agent command a step waits for is kept in
 * {@code driver_internal_info.agent_command_awaited}; without it the wait is for the agent to come up.
 */
public final class StepEngine {
    private static final Logger LOG = LoggerFactory.getLogger(StepEngine.class);

    /** The agent command the current step waits for; absent while the node waits for its agent to boot. */
    public static final String AWAITED_COMMAND = "agent_command_awaited";

    private static final Duration POWER_TIMEOUT = Duration.ofSeconds(60);
    private static final ProvisionStateMachine FSM = ProvisionStateMachine.ironic();

    private final StepSettings settings;

    public StepEngine(StepSettings settings) {
        this.settings = settings;
    }

    public StepSettings settings() {
        return settings;
    }

    /** The key keeping a user's step list for re-planning once the agent reported: {@code user_clean_steps}. */
    static String userKey(StepType type) {
        return "user_" + type.value() + "_steps";
    }

    // ---- starting (the workers of do_node_deploy, do_node_clean, do_node_service) ----

    /**
     * Ironic's do_next_deploy_step from the start (node in "deploying"): plans the driver's deploy steps with the
     * user's {@code deploy_steps} (in-band ones are checked once the agent reported them) and runs them.
     */
    public Future<Void> startDeploy(Task task, JsonArray userSteps) {
        return Futures.attempt(() -> DeployTemplates.matching(task))
                .compose(templates -> {
                    JsonObject dii = dii(task);
                    if (userSteps != null && !userSteps.isEmpty()) {
                        dii.put(userKey(StepType.DEPLOY), userSteps.copy());
                    }
                    // the templates are read once, here: a re-plan and a take-over use the same ones
                    if (templates == null) {
                        dii.remove(DeployTemplates.KEY);
                    } else {
                        dii.put(DeployTemplates.KEY, templates);
                    }
                    List<Step> plan = plan(task, StepType.DEPLOY, dii, true);
                    return savePlan(task, StepType.DEPLOY, dii, plan);
                })
                .compose(v -> runNext(task, StepType.DEPLOY))
                .recover(e -> fail(task, StepType.DEPLOY, "Failed to deploy: " + Provisioning.message(e), false));
    }

    /**
     * Ironic's _do_node_clean (node in "cleaning"): automated when {@code manualSteps} is null. Boots the agent
     * ramdisk unless every manual step is out-of-band; with the agent, the steps are planned on its first heartbeat.
     */
    public Future<Void> startClean(Task task, JsonArray manualSteps) {
        boolean manual = manualSteps != null;
        if (!manual && skipAutomatedClean(task)) {
            LOG.info("Automated cleaning is disabled, node {} goes to available without it", task.uuid());
            return task.processEvent(ProvisionEvent.DONE);
        }
        return Futures.attempt(() -> startWithRamdisk(task, StepType.CLEAN, manualSteps))
                .recover(e -> fail(
                        task,
                        StepType.CLEAN,
                        "Cannot clean node " + task.uuid() + ": " + Provisioning.message(e),
                        false));
    }

    /** Ironic's _do_node_service (node in "servicing"): the user's steps, with the agent when one needs it. */
    public Future<Void> startService(Task task, JsonArray steps) {
        return Futures.attempt(() -> startWithRamdisk(task, StepType.SERVICE, steps == null ? new JsonArray() : steps))
                .recover(e -> fail(
                        task,
                        StepType.SERVICE,
                        "Cannot service node " + task.uuid() + ": " + Provisioning.message(e),
                        false));
    }

    private Future<Void> startWithRamdisk(Task task, StepType type, JsonArray userSteps) {
        DeployInterface deploy = task.driver().deploy();
        JsonObject dii = dii(task);
        if (userSteps != null) {
            dii.put(userKey(type), userSteps.copy());
        }
        boolean needsRamdisk = deploy.usesAgent() && !allOutOfBand(task, type, userSteps);
        Future<StepOutcome> prepared;
        if (needsRamdisk) {
            prepared = task.save(Map.of("driver_internal_info", dii))
                    .compose(v -> type == StepType.CLEAN ? deploy.prepareCleaning(task) : deploy.prepareService(task));
        } else {
            dii.put(disableRamdiskKey(type), true);
            // Ironic's disable_ramdisk: an agent deploy interface is not asked to boot its ramdisk (its tear-down is
            // skipped likewise); one without an agent still prepares (the fake deploy's is a no-op)
            prepared = task.save(Map.of("driver_internal_info", dii))
                    .compose(v -> type == StepType.CLEAN && !deploy.usesAgent()
                            ? deploy.prepareCleaning(task)
                            : Future.succeededFuture(StepOutcome.DONE));
        }
        return prepared.compose(outcome -> {
            if (outcome == StepOutcome.WAIT) {
                return move(task, type, ProvisionEvent.WAIT); // planned on the agent's first heartbeat
            }
            JsonObject now = dii(task);
            return Futures.attempt(() -> savePlan(task, type, now, plan(task, type, now, false)))
                    .compose(v -> runNext(task, type));
        });
    }

    /** Ironic's skip_automated_cleaning: the node's own automated_clean wins over the configuration. */
    private boolean skipAutomatedClean(Task task) {
        Object own = task.node().getValue("automated_clean");
        return own instanceof Boolean b ? !b : !settings.automatedClean();
    }

    /** Ironic's disable_ramdisk for manual steps: every user step is out-of-band (or reserved). */
    private boolean allOutOfBand(Task task, StepType type, JsonArray userSteps) {
        if (userSteps == null || userSteps.isEmpty()) {
            return type == StepType.SERVICE; // an empty service needs no agent; automated cleaning always does
        }
        List<Step> user = new ArrayList<>();
        for (Object o : userSteps) {
            user.add(Step.fromJson((JsonObject) o));
        }
        return StepPlanner.allOutOfBand(user, DriverSteps.collect(type, interfaces(task.driver())));
    }

    private static String disableRamdiskKey(StepType type) {
        return type == StepType.CLEAN ? "cleaning_disable_ramdisk" : "service_disable_ramdisk";
    }

    // ---- the agent's heartbeat ----

    /**
     * A heartbeat in "wait call-back", "clean wait" or "service wait" (Ironic's HeartbeatMixin.heartbeat after its
     * lock upgrade): fetch the agent's steps once per boot, plan if nothing is planned yet, then look at the awaited
     * command: running → keep waiting; failed → error handler; succeeded (or no command: the agent just came up) →
     * resume and run the next steps in this same worker, under this same lock.
     */
    public Future<Void> heartbeat(Task task, AgentReport report) {
        StepType type = waitType(task.provisionState());
        if (type == null) {
            return Future.succeededFuture();
        }
        DeployInterface deploy = task.driver().deploy();
        return recordAgentUrl(task, report)
                .compose(v -> deploy.usesAgent() && !AgentSteps.isCached(type, dii(task))
                        ? refreshAgentSteps(task, type)
                        : Future.succeededFuture())
                .compose(v -> {
                    if (StepProgress.current(task.node(), type).isEmpty()) {
                        return planOnFirstHeartbeat(task, type);
                    }
                    String awaited = dii(task).getString(AWAITED_COMMAND);
                    if (awaited == null) {
                        return continueFromWait(task, type);
                    }
                    return deploy.agentCommandStatus(task, report, awaited)
                            .compose(status -> afterAgentCommand(task, type, status));
                })
                .recover(e -> fail(
                        task,
                        type,
                        "Failed to process the next " + type.value() + " step: " + Provisioning.message(e),
                        true));
    }

    /**
     * The agent's URL as this heartbeat gives it, stored now under the lock (Ironic records it in its heartbeat
     * handler) because the steps about to run call the agent there; the intake's batched liveness write may not have
     * reached the row yet.
     */
    private static Future<Void> recordAgentUrl(Task task, AgentReport report) {
        String url = report == null ? null : report.callbackUrl();
        JsonObject dii = dii(task);
        if (url == null || url.isEmpty() || url.equals(dii.getString(AgentInternalInfo.URL))) {
            return Future.succeededFuture();
        }
        return task.save(Map.of("driver_internal_info", dii.put(AgentInternalInfo.URL, url)))
                .mapEmpty();
    }

    /**
     * Nothing planned yet: cleaning and servicing just booted the agent, so plan with its steps and start. A node
     * found in "wait call-back" without a plan (written by an older conductor or by hand) has its agent up already:
     * the plan starts after the core deploy step, which is what boots the agent.
     */
    private Future<Void> planOnFirstHeartbeat(Task task, StepType type) {
        JsonObject dii = dii(task);
        return Futures.attempt(() -> {
            List<Step> plan = plan(task, type, dii, false);
            Future<Void> saved = savePlan(task, type, dii, plan);
            int core = type == StepType.DEPLOY ? indexOf(plan, Step.of("deploy", "deploy", 0)) : -1;
            if (core < 0) {
                return saved.compose(x -> move(task, type, ProvisionEvent.RESUME))
                        .compose(x -> runNext(task, type));
            }
            return saved.compose(x ->
                            saveStepStart(task, type, StepProgress.begin(task.node(), type, core), core, plan.size()))
                    .compose(x -> continueFromWait(task, type));
        });
    }

    private Future<Void> afterAgentCommand(Task task, StepType type, AsyncStepStatus status) {
        Step step = StepProgress.current(task.node(), type).orElseThrow();
        return switch (status.kind()) {
            case RUNNING -> Future.succeededFuture();
            case FAILED ->
                fail(
                        task,
                        type,
                        "Agent returned error for " + type.value() + " step " + pythonRepr(step) + " on node "
                                + task.uuid() + " : " + status.error() + ".",
                        true);
            case SUCCEEDED -> {
                JsonObject dii = dii(task);
                dii.remove(AWAITED_COMMAND);
                if (step.rebootRequested()) {
                    yield rebootForStep(task, type, dii);
                }
                yield task.save(Map.of("driver_internal_info", dii)).compose(v -> continueFromWait(task, type));
            }
        };
    }

    /**
     * The agent asked for a reboot after its step (Ironic's _post_step_reboot): reboot through the BMC and wait;
     * the agent comes back, looks up again, and its first heartbeat continues after the step.
     */
    private Future<Void> rebootForStep(Task task, StepType type, JsonObject dii) {
        JsonObject flagged = StepProgress.setFlags(
                        task.node().copy().put("driver_internal_info", dii), type, true, true, null)
                .driverInternalInfo();
        JsonObject wiped = AgentInternalInfo.wipedOnPowerOff(flagged);
        return task.save(Map.of("driver_internal_info", wiped == null ? flagged : wiped))
                .compose(v -> task.driver().power().reboot(task, false, POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", PowerState.POWER_ON.value())))
                .mapEmpty();
    }

    /** The agent's steps of this type, cached in driver_internal_info; a deploy already under way is re-planned. */
    private Future<Void> refreshAgentSteps(Task task, StepType type) {
        return task.driver()
                .deploy()
                .agentSteps(task, type.value())
                .compose(result -> Futures.attempt(() -> {
                    AgentSteps.Report report = AgentSteps.parse(type, task.uuid(), result);
                    JsonObject dii = dii(task);
                    dii.put(type.agentCacheKey(), report.cache());
                    if (report.hardwareManagerVersion() != null) {
                        dii.put("hardware_manager_version", report.hardwareManagerVersion());
                    }
                    Optional<Step> current = StepProgress.current(task.node(), type);
                    if (type != StepType.DEPLOY || current.isEmpty()) {
                        return task.save(Map.of("driver_internal_info", dii)).mapEmpty();
                    }
                    // Ironic's set_node_deployment_steps(reset_current=False): the agent's steps join the plan
                    List<Step> plan = plan(task, type, dii, false);
                    int at = indexOf(plan, current.get());
                    if (at < 0) {
                        throw new IllegalStateException("the running deploy step "
                                + current.get().id() + " is not part of the plan once the agent's steps are added");
                    }
                    JsonArray list = new JsonArray();
                    plan.forEach(s -> list.add(s.toJson()));
                    dii.put(type.stepsKey(), list).put(type.indexKey(), at);
                    return task.save(Map.of("driver_internal_info", dii)).mapEmpty();
                }));
    }

    // ---- continuing, holding, aborting ----

    /**
     * Resume after a wait whose work is done (an agent command succeeded, the agent came up, an operator's unhold,
     * a fake deploy continued): back to the working state and on with the next step.
     */
    public Future<Void> continueFromWait(Task task, StepType type) {
        return move(task, type, ProvisionEvent.RESUME).compose(v -> stepDone(task, type));
    }

    /** Ironic's continue_node_deploy for a node already resumed into "deploying" (the patient hand-off). */
    public Future<Void> continueResumed(Task task, StepType type) {
        return stepDone(task, type).recover(e -> fail(task, type, Provisioning.message(e), true));
    }

    /** After {@code unhold} put the node back in its wait state: skip the hold step and run on. */
    public Future<Void> afterUnhold(Task task) {
        StepType type = waitType(task.provisionState());
        if (type == null) {
            return Future.succeededFuture();
        }
        return continueFromWait(task, type).recover(e -> fail(task, type, Provisioning.message(e), true));
    }

    /** What {@code abort} does in a wait or hold state, decided under the lock before the API answers. */
    public enum AbortDecision {
        /** The running step cannot be interrupted: it is marked {@code abort_after}, the node stays. */
        AFTER_STEP,
        /** The node moved to its fail state; {@link #abortTearDown} undoes what the operation prepared. */
        ABORTED
    }

    /**
     * Ironic's abort of cleaning/deploying/servicing (do_provisioning_action 'abort'): a non-abortable running step
     * only gets {@code abort_after} (the node fails once it ends); otherwise the node goes to its fail state now.
     */
    public Future<AbortDecision> abort(Task task) {
        ProvisionState state = task.provisionState();
        StepType type = typeOf(state);
        Optional<Step> current = StepProgress.current(task.node(), type);
        boolean waiting = waitType(state) != null;
        if (waiting
                && current.isPresent()
                && !current.get().abortable()
                && ReservedStep.of(current.get()).isEmpty()
                && dii(task).getString(AWAITED_COMMAND) != null) {
            StepProgress.Update marked =
                    StepProgress.markAbortAfter(task.node(), type).orElseThrow();
            return saveUpdate(task, type, marked).map(AbortDecision.AFTER_STEP);
        }
        String error = "By request, the " + type.value() + " operation was aborted for node " + task.uuid() + ".";
        return task.processEvent(ProvisionEvent.ABORT, Optional.empty(), type == StepType.CLEAN, error)
                .map(AbortDecision.ABORTED);
    }

    /** The worker half of an abort that moved the node: tear down and forget the steps. */
    public Future<Void> abortTearDown(Task task) {
        StepType type = typeOf(task.provisionState());
        return tearDown(task, type).compose(v -> saveFinished(task, type, Map.of(), null));
    }

    // ---- the loop ----

    /** Ironic's do_next_*_step from the node's stored position: the next step, or the end of the list. */
    private Future<Void> runNext(Task task, StepType type) {
        StepProgress.Resume resume = StepProgress.resume(task.node(), type);
        JsonObject view =
                task.node().copy().put("driver_internal_info", resume.update().driverInternalInfo());
        if (resume.nextIndex().isEmpty()) {
            return finishAll(task, type, view);
        }
        int index = resume.nextIndex().get();
        StepProgress.Update begin = StepProgress.begin(view, type, index);
        begin.driverInternalInfo().remove(AWAITED_COMMAND);
        Step step = StepProgress.planned(view, type).get(index);
        LOG.info(
                "Node {}: {} step {} ({} of {})",
                task.uuid(),
                type.value(),
                step.id(),
                index + 1,
                StepProgress.planned(view, type).size());
        return saveStepStart(
                        task,
                        type,
                        begin,
                        index,
                        StepProgress.planned(view, type).size())
                .compose(v -> runStep(task, type, step));
    }

    private Future<Void> runStep(Task task, StepType type, Step step) {
        Optional<ReservedStep> reserved = ReservedStep.of(step);
        if (reserved.isPresent()) {
            return runReserved(task, type, step, reserved.get());
        }
        Driver driver = task.driver();
        Map<String, Object> interfaces = interfaces(driver);
        Optional<DriverSteps.Declared> declared = DriverSteps.find(type, interfaces, step);
        Future<Object> result;
        if (declared.isPresent()) {
            result = DriverSteps.invoke(declared.get(), interfaces.get(step.iface()), task, step);
        } else if (driver.deploy().usesAgent() && step.needsRamdisk()) {
            result = driver.deploy()
                    .executeAgentStep(task, type.value(), step.toJson())
                    .map(c -> c);
        } else {
            result = Future.failedFuture(new IllegalStateException(
                    "node " + task.uuid() + " does not support " + type.value() + " step " + step.id()));
        }
        return result.compose(outcome -> afterStep(task, type, outcome));
    }

    private Future<Void> afterStep(Task task, StepType type, Object outcome) {
        if (outcome instanceof AgentCommandStarted started) {
            JsonObject dii = dii(task).put(AWAITED_COMMAND, started.command());
            return task.save(Map.of("driver_internal_info", dii)).compose(v -> move(task, type, ProvisionEvent.WAIT));
        }
        if (outcome == StepOutcome.WAIT) {
            return move(task, type, ProvisionEvent.WAIT);
        }
        if (outcome == StepOutcome.REBOOT_TO_FINISH) {
            return rebootToFinish(task, type);
        }
        return stepDone(task, type);
    }

    /**
     * Ironic's reboot_to_finish_step after set_async_step_flags(reboot=True, skip_current_step=False,
     * polling=disable_ramdisk): the step runs again once the node is back. With the agent ramdisk in use the node
     * boots into it again (its token and URL go with the old boot) and the agent's first heartbeat resumes; without,
     * the step's interface is polled ({@link #pollRebootedStep}).
     */
    private Future<Void> rebootToFinish(Task task, StepType type) {
        boolean polling = !task.driver().deploy().usesAgent()
                || Boolean.TRUE.equals(dii(task).getValue(disableRamdiskKey(type)));
        JsonObject flagged =
                StepProgress.setFlags(task.node(), type, true, false, polling).driverInternalInfo();
        JsonObject wiped = polling ? null : AgentInternalInfo.wipedOnPowerOff(flagged);
        var boot = task.driver().boot();
        return task.save(Map.of("driver_internal_info", wiped == null ? flagged : wiped))
                .compose(v -> polling || boot == null ? Future.<Void>succeededFuture() : boot.prepareRamdisk(task))
                .compose(v -> task.driver().power().reboot(task, false, POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", PowerState.POWER_ON.value())))
                .compose(v -> move(task, type, ProvisionEvent.WAIT));
    }

    /**
     * Called under the node's exclusive lock by the {@code poll_rebooted_steps} periodic for a node waiting after
     * {@link StepOutcome#REBOOT_TO_FINISH} without a ramdisk: when the step's interface says the reboot is over, the
     * step runs again in a worker (spawned once this task's work ends) to verify and go on. Nothing happens for a
     * node that is not waiting that way.
     */
    public Future<Void> pollRebootedStep(Task task) {
        StepType type = waitType(task.provisionState());
        if (type == null || !StepProgress.polling(task.node(), type)) {
            return Future.succeededFuture();
        }
        Optional<Step> current = StepProgress.current(task.node(), type);
        Object iface =
                current.map(s -> interfaces(task.driver()).get(s.iface())).orElse(null);
        if (!(iface instanceof RebootPoll poll)) {
            return Future.succeededFuture();
        }
        return Futures.attempt(() -> poll.rebootFinished(task)).map(finished -> {
            if (finished) {
                LOG.info(
                        "Node {}: the reboot of {} step {} is over, running it again",
                        task.uuid(),
                        type.value(),
                        current.get().id());
                task.spawnAfter("continue " + type.value() + " after reboot", null, t -> continueFromWait(t, type)
                        .recover(e -> fail(t, type, Provisioning.message(e), true)));
            }
            return null;
        });
    }

    /** The current step ended: an abort that waited for it fails the node now; otherwise run the next one. */
    private Future<Void> stepDone(Task task, StepType type) {
        Optional<Step> current = StepProgress.current(task.node(), type);
        if (current.isPresent() && current.get().abortAfter()) {
            return fail(
                    task,
                    type,
                    "By request, the " + type.value() + " operation was aborted for node " + task.uuid()
                            + " after the completion of step \"" + current.get().id() + "\".",
                    false);
        }
        return runNext(task, type);
    }

    /** hold, wait, power_on, power_off, reboot: run by the conductor itself (Ironic's reserved step names). */
    private Future<Void> runReserved(Task task, StepType type, Step step, ReservedStep reserved) {
        var power = task.driver().power();
        return switch (reserved) {
            case HOLD -> move(task, type, ProvisionEvent.HOLD);
            case WAIT -> {
                Optional<Integer> seconds = ReservedStep.waitSeconds(step, settings.maxConductorWaitStepSeconds());
                if (seconds.isEmpty()) {
                    yield move(task, type, ProvisionEvent.WAIT); // until the agent or an operator continues
                }
                yield pause(seconds.get()).compose(v -> stepDone(task, type));
            }
            case POWER_ON ->
                power.setPowerState(task, PowerState.POWER_ON.value(), POWER_TIMEOUT)
                        .compose(v -> task.save(Map.of("power_state", PowerState.POWER_ON.value())))
                        .compose(v -> stepDone(task, type));
            case POWER_OFF ->
                power.setPowerState(task, PowerState.POWER_OFF.value(), POWER_TIMEOUT)
                        .compose(v -> task.save(Map.of("power_state", PowerState.POWER_OFF.value())))
                        .compose(v -> stepDone(task, type));
            case REBOOT ->
                power.reboot(task, false, POWER_TIMEOUT)
                        .compose(v -> task.save(Map.of("power_state", PowerState.POWER_ON.value())))
                        .compose(v -> stepDone(task, type));
        };
    }

    private static Future<Void> pause(int seconds) {
        if (seconds <= 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        Vertx.currentContext().owner().setTimer(seconds * 1000L, id -> p.complete());
        return p.future();
    }

    /** Every step ran: tear down what the operation prepared, forget the steps, done (or manageable). */
    private Future<Void> finishAll(Task task, StepType type, JsonObject view) {
        Future<Void> tornDown =
                switch (type) {
                    case CLEAN ->
                        Boolean.TRUE.equals(dii(task).getValue(disableRamdiskKey(type)))
                                ? Future.succeededFuture()
                                : task.driver().deploy().tearDownCleaning(task);
                    case SERVICE ->
                        Boolean.TRUE.equals(dii(task).getValue(disableRamdiskKey(type)))
                                ? Future.succeededFuture()
                                : task.driver().deploy().tearDownService(task);
                    case DEPLOY -> Future.succeededFuture();
                };
        LOG.info("Node {}: all {} steps done", task.uuid(), type.value());
        return tornDown.compose(v -> saveFinished(task, type, Map.of(), stepsEndEvent(type)))
                .compose(v -> {
                    boolean manualClean = type == StepType.CLEAN
                            && ProvisionState.MANAGEABLE
                                    .value()
                                    .equals(task.node().getString("target_provision_state"));
                    return task.processEvent(manualClean ? ProvisionEvent.MANAGE : ProvisionEvent.DONE);
                });
    }

    // ---- errors ----

    /**
     * Ironic's deploying_error_handler / cleaning_error_handler / servicing_error_handler: undo what the operation
     * prepared (a failure there is logged, never hides the first error), forget the steps, and fail with
     * {@code error} as last_error. A clean or service step that was running also puts the node in maintenance with
     * fault "clean failure" / "service failure", as Ironic does. The target is kept for manual cleaning.
     */
    public Future<Void> fail(Task task, StepType type, String error, boolean stepMayHaveRun) {
        if (!task.lease().isValid()) {
            return Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()));
        }
        LOG.error("{} of node {} failed: {}", type.value(), task.uuid(), error);
        boolean stepRunning =
                stepMayHaveRun && StepProgress.current(task.node(), type).isPresent();
        Map<String, Object> extra = new HashMap<>();
        if (stepRunning && type != StepType.DEPLOY) {
            extra.put("maintenance", true);
            extra.put("maintenance_reason", error);
            extra.put("fault", type == StepType.CLEAN ? "clean failure" : "service failure");
        }
        return tearDown(task, type)
                .transform(ar -> {
                    if (ar.failed()) {
                        LOG.warn(
                                "Undoing the {} of node {} failed: {}",
                                type.value(),
                                task.uuid(),
                                ar.cause().toString());
                    }
                    return saveFinished(task, type, extra, null);
                })
                .compose(v -> {
                    ProvisionState state = task.provisionState();
                    if (!FSM.isActionable(state, ProvisionEvent.FAIL)) {
                        return task.save(Map.of("last_error", error)).<Void>mapEmpty();
                    }
                    return task.processEvent(ProvisionEvent.FAIL, Optional.empty(), type == StepType.CLEAN, error);
                });
    }

    private static Future<Void> tearDown(Task task, StepType type) {
        DeployInterface deploy = task.driver().deploy();
        try {
            return switch (type) {
                case CLEAN -> deploy.tearDownCleaning(task);
                case DEPLOY -> deploy.cleanUp(task);
                case SERVICE -> deploy.tearDownService(task);
            };
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    // ---- planning and persistence ----

    /** The plan for this node now: the driver's steps, the agent's cached ones, and the user's list if any. */
    private List<Step> plan(Task task, StepType type, JsonObject dii, boolean skipMissing) {
        List<Step> offered = StepPlanner.offered(
                DriverSteps.collect(type, interfaces(task.driver())), AgentSteps.cached(type, dii, null));
        JsonArray user = dii.getJsonArray(userKey(type));
        List<JsonObject> userSteps = new ArrayList<>();
        if (user != null) {
            user.forEach(o -> userSteps.add((JsonObject) o));
        }
        return switch (type) {
            case CLEAN ->
                user == null
                        ? StepPlanner.automatedClean(offered, settings.cleanStepPriorityOverride())
                        : StepPlanner.manual(UserSteps.validate(
                                type,
                                userSteps,
                                settings.cleanStepPriorityOverride().apply(offered),
                                skipMissing,
                                false,
                                null));
            case SERVICE -> StepPlanner.manual(UserSteps.validate(type, userSteps, offered, skipMissing, false, null));
            case DEPLOY ->
                StepPlanner.deploy(
                        offered,
                        DeployTemplates.withUserSteps(
                                UserSteps.validate(
                                        type, userSteps, offered, skipMissing, false, UserSteps.DEPLOY_ARGUMENT_PREFIX),
                                DeployTemplates.validated(
                                        dii.getJsonObject(DeployTemplates.KEY), offered, skipMissing)));
        };
    }

    private static Future<Void> savePlan(Task task, StepType type, JsonObject dii, List<Step> plan) {
        JsonObject view = task.node().copy().put("driver_internal_info", dii);
        return saveUpdate(task, type, StepProgress.plan(view, type, plan));
    }

    private static Future<Void> saveUpdate(Task task, StepType type, StepProgress.Update update) {
        Map<String, Object> cols = new HashMap<>();
        cols.put("driver_internal_info", update.driverInternalInfo());
        cols.put(type.nodeField(), update.stepField());
        return task.save(cols).mapEmpty();
    }

    /**
     * A step starts: the node's step field and position, with the event the feed shows for it
     * ({@code baremetal.node.clean_step.start}, {@code deploy_step.start}, {@code service_step.start}; the payload
     * carries the node, whose step field names the step, and the step's place in the plan). Anvil's own event type:
     * Ironic has no per-step notification (docs/events.md#event-types).
     */
    private static Future<Void> saveStepStart(
            Task task, StepType type, StepProgress.Update update, int index, int count) {
        Map<String, Object> cols = new HashMap<>();
        cols.put("driver_internal_info", update.driverInternalInfo());
        cols.put(type.nodeField(), update.stepField());
        JsonObject extra = new JsonObject().put("step_index", index).put("step_count", count);
        return task.saveWithEvent(cols, "baremetal.node." + type.value() + "_step.start", "info", extra)
                .mapEmpty();
    }

    /** The event of a step list that ran to its end, e.g. {@code baremetal.node.clean_steps.end}. */
    private static String stepsEndEvent(StepType type) {
        return "baremetal.node." + type.value() + "_steps.end";
    }

    /**
     * The step list ended: field null, plan and flags gone, the agent's token and URL void (Ironic's wipe_*); with
     * {@code eventType} (may be null) written in the same transaction.
     */
    private static Future<Void> saveFinished(Task task, StepType type, Map<String, Object> extra, String eventType) {
        StepProgress.Update done = StepProgress.finish(task.node(), type);
        JsonObject dii = done.driverInternalInfo();
        dii.remove(AWAITED_COMMAND);
        dii.remove(userKey(type));
        if (type == StepType.DEPLOY) {
            dii.remove(DeployTemplates.KEY);
        }
        dii.remove(disableRamdiskKey(StepType.CLEAN));
        dii.remove(disableRamdiskKey(StepType.SERVICE));
        JsonObject wiped = AgentInternalInfo.wipedTokenAndUrl(dii);
        Map<String, Object> cols = new LinkedHashMap<>(extra);
        cols.put("driver_internal_info", wiped == null ? dii : wiped);
        cols.put(type.nodeField(), null);
        return eventType == null
                ? task.save(cols).mapEmpty()
                : task.saveWithEvent(cols, eventType, "info", null).mapEmpty();
    }

    // ---- small helpers ----

    /**
     * A step-driven transition. Cleaning keeps its target on every move, so manual cleaning still ends in
     * "manageable" (Ironic passes target_state=MANAGEABLE to each of these process_event calls).
     */
    private static Future<Void> move(Task task, StepType type, ProvisionEvent event) {
        return task.processEvent(event, Optional.empty(), type == StepType.CLEAN, null);
    }

    /** The interfaces whose annotated steps a node offers, by Ironic's interface names. */
    static Map<String, Object> interfaces(Driver driver) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("power", driver.power());
        m.put("management", driver.management());
        m.put("deploy", driver.deploy());
        if (driver.inspect() != null) {
            m.put("inspect", driver.inspect());
        }
        if (driver.rescue() != null) {
            m.put("rescue", driver.rescue());
        }
        if (driver.bios() != null) {
            m.put("bios", driver.bios());
        }
        if (driver.raid() != null) {
            m.put("raid", driver.raid());
        }
        if (driver.vendor() != null) {
            m.put("vendor", driver.vendor());
        }
        return m;
    }

    private static int indexOf(List<Step> plan, Step step) {
        for (int i = 0; i < plan.size(); i++) {
            if (plan.get(i).sameStepAs(step)) {
                return i;
            }
        }
        return -1;
    }

    /** The step type whose wait state this is, or null. */
    public static StepType waitType(ProvisionState state) {
        return switch (state) {
            case DEPLOYWAIT -> StepType.DEPLOY;
            case CLEANWAIT -> StepType.CLEAN;
            case SERVICEWAIT -> StepType.SERVICE;
            default -> null;
        };
    }

    /** The step type of a deploy/clean/service state (working, wait, hold or fail). */
    public static StepType typeOf(ProvisionState state) {
        return switch (state) {
            case DEPLOYING, DEPLOYWAIT, DEPLOYHOLD, DEPLOYFAIL -> StepType.DEPLOY;
            case CLEANING, CLEANWAIT, CLEANHOLD, CLEANFAIL -> StepType.CLEAN;
            case SERVICING, SERVICEWAIT, SERVICEHOLD, SERVICEFAIL -> StepType.SERVICE;
            default -> throw new IllegalArgumentException("no steps run in state " + state.value());
        };
    }

    private static JsonObject dii(Task task) {
        JsonObject d = task.node().getJsonObject("driver_internal_info");
        return d == null ? new JsonObject() : d.copy();
    }

    /** A step as Ironic's messages print it (a Python dict). */
    private static String pythonRepr(Step step) {
        return "{'interface': '" + step.iface() + "', 'step': '" + step.name() + "'}";
    }
}
