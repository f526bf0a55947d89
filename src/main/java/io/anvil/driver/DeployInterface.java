package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Ironic's deploy interface. Its deploy, clean and service work is a list of <em>steps</em> (methods annotated
 * {@code @DeployStep}/{@code @CleanStep}, docs/steps.md) that the conductor's step engine runs in order; a step's
 * future yields {@code null} or {@link StepOutcome#DONE} when it finished, {@link StepOutcome#WAIT} when the node must
 * wait for its agent to come up, or an {@link AgentCommandStarted} when it started a command in the agent.
 */
public interface DeployInterface {
    /** Ironic's core deploy step ({@code deploy.deploy}, priority 100); implementations annotate it. */
    Future<StepOutcome> deploy(DriverTask task);

    /**
     * Ironic's deploy.validate before a deploy starts: what the deploy needs from the node is there (an image, ...).
     *
     * @throws io.anvil.errors.AnvilException 400 naming what is missing
     */
    default void validate(DriverTask task) {}

    /** Ironic's tear_down: the instance is going away (undeploy); cleaning follows. */
    Future<Void> tearDown(DriverTask task);

    /**
     * Ironic's prepare_cleaning: WAIT when it booted the agent ramdisk (the clean steps are planned on its first
     * heartbeat, once the agent reported its own), DONE when the steps can run at once.
     */
    default Future<StepOutcome> prepareCleaning(DriverTask task) {
        return Future.succeededFuture(StepOutcome.DONE);
    }

    /** Ironic's prepare_service, as {@link #prepareCleaning} for servicing. */
    default Future<StepOutcome> prepareService(DriverTask task) {
        return Future.succeededFuture(StepOutcome.DONE);
    }

    /** Adoption: take over an already deployed node without touching it. */
    Future<Void> takeOver(DriverTask task);

    /** Ironic's deploy.clean_up: undo what a failed or timed-out deploy prepared (boot config, images). */
    default Future<Void> cleanUp(DriverTask task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_cleaning: undo what cleaning prepared, after it ended, failed or timed out. */
    default Future<Void> tearDownCleaning(DriverTask task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_service: undo what servicing prepared and boot the instance again. */
    default Future<Void> tearDownService(DriverTask task) {
        return Future.succeededFuture();
    }

    // ---- the ramdisk agent (Ironic's AgentBaseMixin / HeartbeatMixin; docs/agent.md) ----

    /**
     * Whether a heartbeat of this node's agent in {@code provisionState} has work to continue, so the conductor must
     * take the node's lock (patiently) and run the step engine. Decided without a lock from the state alone; false
     * (the default, as for Ironic's interfaces without an agent) means the heartbeat only records liveness.
     */
    default boolean continuesOnHeartbeat(String provisionState) {
        return false;
    }

    /** True when this interface runs in-band steps through a ramdisk agent. */
    default boolean usesAgent() {
        return false;
    }

    /**
     * The agent's {@code get_<type>_steps} result ({@code {"<type>_steps": {...}, "hardware_manager_version": ...}}),
     * {@code type} being {@code clean}, {@code deploy} or {@code service}.
     */
    default Future<JsonObject> agentSteps(DriverTask task, String type) {
        return Future.failedFuture(new UnsupportedOperationException("this deploy interface has no agent"));
    }

    /** Starts an in-band step ({@code execute_<type>_step}) in the agent. */
    default Future<AgentCommandStarted> executeAgentStep(DriverTask task, String type, JsonObject step) {
        return Future.failedFuture(new UnsupportedOperationException("this deploy interface has no agent"));
    }

    /**
     * How the agent's last command named {@code command} stands (Ironic's process_next_step check of
     * get_commands_status), asked on a heartbeat under the node's lock.
     */
    default Future<AsyncStepStatus> agentCommandStatus(DriverTask task, AgentReport report, String command) {
        return Future.succeededFuture(AsyncStepStatus.running());
    }
}
