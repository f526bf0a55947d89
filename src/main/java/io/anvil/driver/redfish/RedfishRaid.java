package io.anvil.driver.redfish;

import io.anvil.driver.DriverTask;
import io.anvil.driver.RaidInterface;
import io.anvil.driver.raid.RaidConfig;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.anvil.errors.AnvilException;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishException;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ironic's redfish RAID interface ({@code ironic/drivers/modules/redfish/raid.py}): the node's target_raid_config
 * becomes Volumes of the system's first Storage controller that has a Volumes collection (POST per logical disk,
 * each followed through its task monitor), delete_configuration DELETEs every volume; the result is the node's
 * raid_config, as Ironic's update_raid_info records it.
 */
public final class RedfishRaid implements RaidInterface {
    private static final Map<String, String> LEVELS = Map.of(
            "0", "RAID0", "1", "RAID1", "5", "RAID5", "6", "RAID6", "1+0", "RAID10", "5+0", "RAID50", "6+0", "RAID60");
    private static final Map<String, Integer> MIN_DRIVES =
            Map.of("0", 1, "1", 2, "5", 3, "6", 4, "1+0", 4, "5+0", 6, "6+0", 8);

    private final RedfishNodes nodes;

    public RedfishRaid(RedfishNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return nodes.validate(task).compose(v -> RaidInterface.super.validate(task));
    }

    @CleanStep(
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(
                        name = "create_root_volume",
                        description = "This specifies whether to create the root volume." + " Defaults to `True`."),
                @StepArg(
                        name = "create_nonroot_volumes",
                        description =
                                "This specifies whether to create the" + " non-root volumes. Defaults to `True`."),
                @StepArg(
                        name = "delete_existing",
                        description =
                                "Setting this to 'True' indicates to delete existing"
                                        + " RAID configuration prior to creating the new configuration. Default value is 'False'.")
            })
    @DeployStep(priority = 0)
    public Future<Object> createConfiguration(DriverTask task, JsonObject args) {
        JsonObject target = RaidConfig.filterTarget(
                task.uuid(),
                task.node().getJsonObject("target_raid_config"),
                RaidConfig.stepFlag(args, "create_root_volume", true),
                RaidConfig.stepFlag(args, "create_nonroot_volumes", true));
        validateRaidConfig(task, target);
        RedfishTarget t = nodes.target(task);
        Future<Void> before =
                RaidConfig.stepFlag(args, "delete_existing", false) ? deleteVolumes(t) : Future.succeededFuture();
        return before.compose(v -> controller(t))
                .compose(storage -> {
                    String volumes = RedfishClient.odataId(storage.getValue("Volumes"));
                    JsonArray drives = storage.getJsonArray("Drives", new JsonArray());
                    Future<Void> chain = Future.succeededFuture();
                    int next = 0;
                    for (Object o : target.getJsonArray("logical_disks")) {
                        JsonObject disk = (JsonObject) o;
                        String level = String.valueOf(disk.getValue("raid_level"));
                        int need = disk.getValue("number_of_physical_disks") instanceof Number n
                                ? n.intValue()
                                : MIN_DRIVES.getOrDefault(level, 1);
                        if (next + need > drives.size()) {
                            return Future.failedFuture(AnvilException.invalid("Not enough free drives on "
                                    + storage.getString("@odata.id") + " for RAID " + level + " (" + need + " needed, "
                                    + (drives.size() - next) + " left)."));
                        }
                        JsonArray links = new JsonArray();
                        for (int i = 0; i < need; i++) {
                            links.add(drives.getValue(next + i));
                        }
                        next += need;
                        JsonObject body = new JsonObject()
                                .put("RAIDType", LEVELS.getOrDefault(level, "RAID" + level))
                                .put("Links", new JsonObject().put("Drives", links));
                        if (disk.getValue("size_gb") instanceof Number gb) {
                            body.put("CapacityBytes", gb.longValue() * 1024L * 1024L * 1024L);
                        }
                        if (disk.getString("volume_name") != null) {
                            body.put("Name", disk.getString("volume_name"));
                        }
                        chain = chain.compose(
                                x -> nodes.client().post(t, volumes, body).mapEmpty());
                    }
                    return chain;
                })
                .compose(v -> task.save(RaidConfig.applied(task.node(), target)))
                .map(v -> null);
    }

    @CleanStep(priority = 0, requiresRamdisk = false)
    @DeployStep(priority = 0)
    public Future<Object> deleteConfiguration(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return deleteVolumes(t)
                .compose(v -> task.save(Map.of("raid_config", new JsonObject())))
                .map(v -> null);
    }

    private Future<Void> deleteVolumes(RedfishTarget t) {
        return controller(t).compose(storage -> nodes.client()
                .getJson(t, RedfishClient.odataId(storage.getValue("Volumes")))
                .compose(coll -> {
                    List<Future<?>> deletes = new ArrayList<>();
                    Future<Void> chain = Future.succeededFuture();
                    for (Object m : coll.getJsonArray("Members", new JsonArray())) {
                        String path = RedfishClient.odataId(m);
                        chain = chain.compose(
                                x -> nodes.client().delete(t, path).mapEmpty());
                    }
                    return chain;
                }));
    }

    /** The first Storage member with a Volumes collection. */
    private Future<JsonObject> controller(RedfishTarget t) {
        return nodes.client().system(t).compose(r -> {
            String storage = RedfishClient.odataId(r.body().getValue("Storage"));
            if (storage == null) {
                return Future.failedFuture(new RedfishException.Unsupported(
                        t.bmc(), "The system on BMC " + t.bmc() + " has no Storage collection for RAID."));
            }
            return nodes.client()
                    .getJson(t, storage)
                    .compose(coll -> first(t, coll.getJsonArray("Members", new JsonArray()), 0));
        });
    }

    private Future<JsonObject> first(RedfishTarget t, JsonArray members, int i) {
        if (i >= members.size()) {
            return Future.failedFuture(new RedfishException.Unsupported(
                    t.bmc(), "No Storage controller on BMC " + t.bmc() + " manages Volumes (RAID)."));
        }
        return nodes.client()
                .getJson(t, RedfishClient.odataId(members.getValue(i)))
                .compose(s -> s.getValue("Volumes") != null ? Future.succeededFuture(s) : first(t, members, i + 1));
    }
}
