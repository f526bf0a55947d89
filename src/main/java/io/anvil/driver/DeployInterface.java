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
}
