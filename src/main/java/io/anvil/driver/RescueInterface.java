package io.anvil.driver;

import io.anvil.conductor.Task;
import io.vertx.core.Future;

/** Ironic's rescue interface. */
public interface RescueInterface {
    Future<StepOutcome> rescue(Task task);

    Future<Void> unrescue(Task task);

    /** Ironic's rescue.clean_up: undo what a failed or timed-out rescue prepared. */
    default Future<Void> cleanUp(Task task) {
        return Future.succeededFuture();
    }
}
