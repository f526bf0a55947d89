package io.anvil.driver;

import io.anvil.driver.inspect.InventoryProcessing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Ironic's inspect interface. */
public interface InspectInterface {
    /** Ironic's inspect.validate (GET /v1/nodes/{id}/validate). @throws io.anvil.errors.AnvilException 400 */
    default void validate(DriverTask task) {}

    /** Ironic's inspect_hardware: DONE when finished at once (out-of-band), WAIT for the ramdisk's data. */
    Future<StepOutcome> inspect(DriverTask task);

    /**
     * Ironic's continue_inspection, first half: what the ramdisk's data changes (properties, ports, what to store).
     * The conductor applies the result under the node's lock, then calls {@link #finishInspection}.
     */
    default Future<InventoryProcessing.Result> processInventory(
            DriverTask task, JsonObject inventory, JsonObject pluginData) {
        return Future.failedFuture(new UnsupportedOperationException("Inspect interface "
                + task.node().getString("inspect_interface")
                + " does not support processing inspection data for node " + task.uuid()));
    }

    /** Ironic's clean_up after in-band inspection (success or failure): tear down the ramdisk boot, power off. */
    default Future<Void> finishInspection(DriverTask task) {
        return Future.succeededFuture();
    }

    /** Ironic's inspect abort: stop waiting for the ramdisk (also on the inspection timeout). */
    default Future<Void> abort(DriverTask task) {
        return Future.succeededFuture();
    }
}
