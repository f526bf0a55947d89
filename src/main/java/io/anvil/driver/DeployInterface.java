package io.anvil.driver;

import io.anvil.conductor.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/** Ironic's deploy interface, with its cleaning, servicing and adoption steps. */
public interface DeployInterface {
  Future<StepOutcome> deploy(Task task);

  Future<Void> tearDown(Task task);

  /** {@code steps} null means automated cleaning. */
  Future<StepOutcome> clean(Task task, JsonArray steps);

  Future<StepOutcome> service(Task task, JsonArray steps);

  /** Adoption: take over an already deployed node without touching it. */
  Future<Void> takeOver(Task task);
}
