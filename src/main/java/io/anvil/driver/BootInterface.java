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
}
