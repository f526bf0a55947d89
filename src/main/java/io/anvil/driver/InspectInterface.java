package io.anvil.driver;

import io.vertx.core.Future;

/** Ironic's inspect interface. */
public interface InspectInterface {
    Future<StepOutcome> inspect(DriverTask task);
}
