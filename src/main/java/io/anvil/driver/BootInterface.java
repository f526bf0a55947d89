package io.anvil.driver;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Ironic's boot interface: how a node boots the agent ramdisk and, later, its instance. Validation reads only the
 * node and its ports, so the API, the conductor and the boot-script endpoint can all call it without a task.
 */
public interface BootInterface {
    /** The driver_info keys this interface reads, with their descriptions (GET /v1/drivers/{d}/properties). */
    Map<String, String> properties();

    /**
     * Ironic's boot.validate: everything needed to boot the agent for a deploy, clean or inspection is there.
     *
     * @throws io.anvil.errors.AnvilException 400 naming what is missing
     */
    void validate(JsonObject node, List<JsonObject> ports);

    /** Ironic's boot.validate_rescue: the rescue ramdisk is known. */
    void validateRescue(JsonObject node);

    /**
     * Ironic's prepare_ramdisk, the part that concerns the BMC: make the next boot start the agent ramdisk. Network
     * boot (ipxe) sets a one-time PXE boot; the script is rendered when the firmware asks for it. Virtual media
     * inserts the ISO and sets a one-time boot from it.
     */
    default io.vertx.core.Future<Void> prepareRamdisk(io.anvil.driver.DriverTask task) {
        return task.driver().management().setBootDevice(task, "pxe", false);
    }

    /** Ironic's clean_up_ramdisk after the ramdisk's work (the node is off): nothing for a network boot. */
    default io.vertx.core.Future<Void> cleanUpRamdisk(io.anvil.driver.DriverTask task) {
        return io.vertx.core.Future.succeededFuture();
    }
}
