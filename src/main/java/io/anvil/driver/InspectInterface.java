package io.anvil.driver;

import io.anvil.conductor.Task;
import io.vertx.core.Future;

/** Ironic's inspect interface. */
public interface InspectInterface {
    Future<StepOutcome> inspect(Task task);
}
