package io.anvil.driver.redfish;

import io.anvil.driver.BiosInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.agent.AgentRamdisk;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.anvil.errors.AnvilException;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishException;
import io.anvil.redfish.RedfishTarget;
import io.anvil.store.BiosSettingsStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Ironic's redfish BIOS interface ({@code ironic/drivers/modules/redfish/bios.py}). New values are PATCHed to the
 * Bios resource's {@code @Redfish.Settings} SettingsObject (the pending settings), the node is rebooted so the
 * firmware applies them, and the Bios attributes read back become the node's BIOS settings (GET /v1/nodes/{id}/bios).
 * Ironic returns CLEANWAIT and checks after the reboot from a periodic task; Anvil waits for the reboot within the
 * step (out-of-band, seconds) and fails the step naming any setting the firmware did not take.
 */
public final class RedfishBios implements BiosInterface {
    private final RedfishNodes nodes;
    private final BiosSettingsStore settings;

    public RedfishBios(RedfishNodes nodes, BiosSettingsStore settings) {
        this.nodes = nodes;
        this.settings = settings;
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return nodes.validate(task);
    }

    @CleanStep(
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(name = "settings", description = "A list of BIOS settings to be applied", required = true)
            })
    @DeployStep(
            priority = 0,
            argsinfo = {
                @StepArg(name = "settings", description = "A list of BIOS settings to be applied", required = true)
            })
    public Future<Object> applyConfiguration(DriverTask task, JsonObject args) {
        JsonObject wanted = new JsonObject();
        if (!(args.getValue("settings") instanceof JsonArray list)) {
            return Future.failedFuture(AnvilException.invalid(
                    "The 'settings' argument of bios.apply_configuration must be a list of {\"name\": ..., \"value\":"
                            + " ...} objects."));
        }
        for (Object o : list) {
            if (!(o instanceof JsonObject s) || !(s.getValue("name") instanceof String n) || !s.containsKey("value")) {
                return Future.failedFuture(AnvilException.invalid(
                        "Each BIOS setting must be an object with a 'name' and a 'value'; got " + o + "."));
            }
            wanted.put(n, s.getValue("value"));
        }
        RedfishTarget t = nodes.target(task);
        return bios(t).compose(bios -> {
                    JsonObject attrs = bios.getJsonObject("Attributes", new JsonObject());
                    List<String> unknown = new ArrayList<>();
                    wanted.fieldNames().forEach(n -> {
                        if (!attrs.containsKey(n)) {
                            unknown.add(n);
                        }
                    });
                    if (!unknown.isEmpty()) {
                        return Future.failedFuture(AnvilException.invalid(
                                "The BIOS of node " + task.uuid() + " has no setting(s) " + unknown + "."));
                    }
                    String target = RedfishClient.odataId(bios.getJsonObject("@Redfish.Settings", new JsonObject())
                            .getValue("SettingsObject"));
                    String path = target != null ? target : bios.getString("@odata.id");
                    return nodes.client().get(t, path).compose(cur -> nodes.client()
                            .patch(t, path, new JsonObject().put("Attributes", wanted), cur.etag()));
                })
                .compose(v -> rebootToApply(task))
                .compose(v -> bios(t))
                .compose(bios -> {
                    JsonObject attrs = bios.getJsonObject("Attributes", new JsonObject());
                    List<String> notApplied = new ArrayList<>();
                    wanted.forEach(e -> {
                        if (!String.valueOf(e.getValue()).equals(String.valueOf(attrs.getValue(e.getKey())))) {
                            notApplied.add(
                                    e.getKey() + "=" + e.getValue() + " (is " + attrs.getValue(e.getKey()) + ")");
                        }
                    });
                    return store(task, attrs)
                            .compose(v -> notApplied.isEmpty()
                                    ? Future.succeededFuture()
                                    : Future.failedFuture(new RedfishException(
                                            t.bmc(),
                                            "BIOS settings of node " + task.uuid()
                                                    + " were not applied after the reboot: "
                                                    + String.join(", ", notApplied))));
                })
                .map(v -> null);
    }

    /** Ironic's redfish factory_reset: Bios.ResetBios, a reboot, and the defaults read back. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    @DeployStep(priority = 0)
    public Future<Object> factoryReset(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return bios(t).compose(bios -> nodes.client().action(t, bios, "#Bios.ResetBios", null, new JsonObject()))
                .compose(v -> rebootToApply(task))
                .compose(v -> cacheBiosSettings(task))
                .map(v -> null);
    }

    /** Ironic's cache_bios_settings: the BMC's Bios attributes become the node's BIOS settings. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> cacheBiosSettings(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return bios(t).compose(b -> store(task, b.getJsonObject("Attributes", new JsonObject())))
                .map(v -> null);
    }

    private Future<Void> store(DriverTask task, JsonObject attrs) {
        List<JsonObject> rows = new ArrayList<>();
        attrs.forEach(e -> rows.add(new JsonObject()
                .put("name", e.getKey())
                .put("value", e.getValue() == null ? null : String.valueOf(e.getValue()))));
        return settings.replaceAll(task.node().getLong("id"), task.fence(), rows);
    }

    private Future<JsonObject> bios(RedfishTarget t) {
        return nodes.client().system(t).compose(r -> {
            String path = RedfishClient.odataId(r.body().getValue("Bios"));
            if (path == null) {
                return Future.failedFuture(new RedfishException.Unsupported(
                        t.bmc(),
                        "The system " + r.body().getString("@odata.id") + " on BMC " + t.bmc()
                                + " has no Bios resource."));
            }
            return nodes.client().getJson(t, path);
        });
    }

    /** Pending settings are applied by the firmware on the next boot: a reboot (power on when off), as Ironic's. */
    private Future<Void> rebootToApply(DriverTask task) {
        return task.driver().power().reboot(task, false, AgentRamdisk.POWER_TIMEOUT);
    }
}
