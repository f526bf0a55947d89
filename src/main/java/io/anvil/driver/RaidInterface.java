package io.anvil.driver;

import io.anvil.driver.raid.RaidConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Ironic's RAID interface ({@code ironic/drivers/base.py: RAIDInterface}): the target configuration is checked against
 * Ironic's RAID schema ({@link RaidConfig}); create_configuration / delete_configuration are steps the implementation
 * declares.
 */
public interface RaidInterface {
    /** Ironic's validate_raid_config. @throws io.anvil.errors.AnvilException 400 naming the problem */
    default void validateRaidConfig(DriverTask task, JsonObject raidConfig) {
        RaidConfig.validate(raidConfig);
    }

    /** Ironic's raid.validate: the node's target_raid_config, when set, is valid. */
    default Future<Void> validate(DriverTask task) {
        JsonObject target = task.node().getJsonObject("target_raid_config");
        if (target != null && !target.isEmpty()) {
            validateRaidConfig(task, target);
        }
        return Future.succeededFuture();
    }

    /** The logical disk properties a target configuration may name, with their descriptions. */
    default JsonObject logicalDiskProperties() {
        return RaidConfig.logicalDiskProperties();
    }
}
