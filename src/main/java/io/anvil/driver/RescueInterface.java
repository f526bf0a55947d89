package io.anvil.driver;

import io.vertx.core.Future;

/** Ironic's rescue interface. */
public interface RescueInterface {
    /** Ironic's rescue.validate (GET /v1/nodes/{id}/validate). @throws io.anvil.errors.AnvilException 400 */
    default void validate(DriverTask task) {}

    Future<StepOutcome> rescue(DriverTask task);

    Future<Void> unrescue(DriverTask task);

    /**
     * Ironic's {@code AgentRescue._finalize_rescue}, called on a heartbeat in "rescue wait" once the node is held
     * exclusively (only when the node's deploy interface continues on heartbeats in that state): hand the rescue
     * password to the agent. SUCCEEDED makes the conductor resume the node, call {@link #cleanUp} and finish in
     * "rescue"; FAILED fails it into "rescue failed" with the error as last_error; RUNNING waits for the next heartbeat.
     */
    default Future<AsyncStepStatus> heartbeat(DriverTask task, AgentReport report) {
        return Future.succeededFuture(AsyncStepStatus.running());
    }

    /** Ironic's rescue.clean_up: undo what a failed or timed-out rescue prepared. */
    default Future<Void> cleanUp(DriverTask task) {
        return Future.succeededFuture();
    }
}
