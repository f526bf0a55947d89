package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.RaidInterface;
import io.anvil.driver.raid.RaidConfig;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.StepArg;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A fake RAID controller: {@code raid.create_configuration} makes the node's target_raid_config its raid_config (with
 * Ironic's update_raid_info effects on properties) and {@code raid.delete_configuration} clears it. Ironic's FakeRAID
 * declares no steps; these carry the names and arguments of Ironic's agent RAID steps, so a manual clean of a fake
 * node exercises the same requests a real RAID interface takes (docs/api.md#raid).
 */
public final class FakeRaid implements RaidInterface {
    @CleanStep(
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(
                        name = "create_root_volume",
                        description = "This specifies whether to create the root volume. Defaults to `True`."),
                @StepArg(
                        name = "create_nonroot_volumes",
                        description = "This specifies whether to create the non-root volumes. Defaults to `True`."),
                @StepArg(
                        name = "delete_existing",
                        description = "Setting this to 'True' indicates to delete existing RAID configuration prior"
                                + " to creating the new configuration. Default value is 'False'.")
            })
    public Future<Object> createConfiguration(DriverTask task, JsonObject args) {
        JsonObject target = RaidConfig.filterTarget(
                task.uuid(),
                task.node().getJsonObject("target_raid_config"),
                RaidConfig.stepFlag(args, "create_root_volume", true),
                RaidConfig.stepFlag(args, "create_nonroot_volumes", true));
        validateRaidConfig(task, target);
        Map<String, Object> cols = RaidConfig.applied(task.node(), target);
        return task.save(cols).map(x -> null);
    }

    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> deleteConfiguration(DriverTask task) {
        return task.save(Map.of("raid_config", new JsonObject())).map(x -> null);
    }
}
