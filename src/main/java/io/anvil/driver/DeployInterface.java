package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/** Ironic's deploy interface, with its cleaning, servicing and adoption steps. */
public interface DeployInterface {
    Future<StepOutcome> deploy(DriverTask task);

    Future<Void> tearDown(DriverTask task);

    /** {@code steps} null means automated cleaning. */
    Future<StepOutcome> clean(DriverTask task, JsonArray steps);

    Future<StepOutcome> service(DriverTask task, JsonArray steps);

    /** Adoption: take over an already deployed node without touching it. */
    Future<Void> takeOver(DriverTask task);

    /** Ironic's deploy.clean_up: undo what a failed or timed-out deploy prepared (boot config, images). */
    default Future<Void> cleanUp(DriverTask task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_cleaning: undo what cleaning prepared, after it failed or timed out. */
    default Future<Void> tearDownCleaning(DriverTask task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_service: undo what servicing prepared, after it failed or timed out. */
    default Future<Void> tearDownService(DriverTask task) {
        return Future.succeededFuture();
    }

    // ---- agent heartbeats (Ironic's HeartbeatMixin; docs/agent.md) ----

    /**
     * Whether a heartbeat of this node's agent in {@code provisionState} has work to continue, so the conductor must
     * take the node's lock (patiently) and call {@link #heartbeat}. Decided without a lock from the state alone;
     * false (the default, as for Ironic's interfaces without an agent) means the heartbeat only records liveness.
     */
    default boolean continuesOnHeartbeat(String provisionState) {
        return false;
    }

    /**
     * Ironic's {@code HeartbeatMixin.heartbeat} once the node is held exclusively: asks the agent how the current
     * asynchronous step stands (starting it if it has not started yet). Called only in a state for which
     * {@link #continuesOnHeartbeat} is true.
     */
    default Future<AsyncStepStatus> heartbeat(DriverTask task, AgentReport report) {
        return Future.succeededFuture(AsyncStepStatus.running());
    }

    /**
     * Ironic's {@code continue_node_deploy} for this interface: the rest of the deploy after the agent's step
     * succeeded (the node is already in "deploying"). DONE ends the deploy (active); WAIT goes back to
     * "wait call-back" for another agent step.
     */
    default Future<StepOutcome> continueDeploy(DriverTask task) {
        return Future.succeededFuture(StepOutcome.DONE);
    }
}
