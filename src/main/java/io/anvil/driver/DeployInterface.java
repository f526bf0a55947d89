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

    /** Ironic's deploy.clean_up: undo what a failed or timed-out deploy prepared (boot config, images). */
    default Future<Void> cleanUp(Task task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_cleaning: undo what cleaning prepared, after it failed or timed out. */
    default Future<Void> tearDownCleaning(Task task) {
        return Future.succeededFuture();
    }

    /** Ironic's deploy.tear_down_service: undo what servicing prepared, after it failed or timed out. */
    default Future<Void> tearDownService(Task task) {
        return Future.succeededFuture();
    }
}
