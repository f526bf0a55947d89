package io.anvil.driver;

import io.vertx.core.Future;

/** Ironic's rescue interface. */
public interface RescueInterface {
    Future<StepOutcome> rescue(DriverTask task);

    Future<Void> unrescue(DriverTask task);

    /** Ironic's rescue.clean_up: undo what a failed or timed-out rescue prepared. */
    default Future<Void> cleanUp(DriverTask task) {
        return Future.succeededFuture();
    }
}
