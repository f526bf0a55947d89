package io.anvil.driver.redfish;

import io.anvil.driver.BiosInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.RebootPoll;
import io.anvil.driver.StepOutcome;
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
import java.util.Map;
import java.util.Set;

/**
 * Ironic's redfish BIOS interface ({@code ironic/drivers/modules/redfish/bios.py}). New values are PATCHed to the
 * Bios resource's {@code @Redfish.Settings} SettingsObject (the pending settings); the step then answers
 * {@link StepOutcome#REBOOT_TO_FINISH}: the step engine reboots the node so the firmware applies them and leaves it in
 * its wait state (clean wait, wait call-back, service wait), as Ironic's {@code reboot_to_finish_step}. Once the node
 * is back — the agent's heartbeat, or without a ramdisk {@link #rebootFinished} (Ironic's
 * {@code _query_bios_apply_status}) — the same step runs again, finds {@code driver_internal_info.redfish_bios_state}
 * and verifies: the Bios attributes read back become the node's BIOS settings (GET /v1/nodes/{id}/bios), and a
 * setting the firmware did not take fails the step naming it (docs/redfish.md#bios).
 */
public final class RedfishBios implements BiosInterface, RebootPoll {
    /** Ironic's _DII_STATE and its keys. */
    static final String STATE = "redfish_bios_state";

    static final String REBOOT_REQUESTED = "reboot_requested";
    static final String REQUESTED_ATTRS = "requested_bios_attrs";
    /** Ironic's BIOS_REBOOT_STATES: BootProgress.LastState once the firmware handed over to the OS (or the agent). */
    private static final Set<String> BOOTED = Set.of("OSBootStarted", "OSRunning");
    /**
     * Ironic's async-step reboot flags, which the step engine sets with REBOOT_TO_FINISH and removes when the step list
     * ends however it ends: a {@link #STATE} left by a failed or aborted run without them is stale.
     */
    private static final List<String> REBOOT_FLAGS =
            List.of("cleaning_reboot", "deployment_reboot", "servicing_reboot");

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
        JsonObject state = rebootState(task);
        if (state != null) {
            return verify(task, state.getJsonObject(REQUESTED_ATTRS, new JsonObject()))
                    .map(v -> StepOutcome.DONE);
        }
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
                    return nodes.client().get(t, path).compose(cur -> {
                        JsonObject pending = target != null
                                ? cur.body().getJsonObject("Attributes", new JsonObject())
                                : new JsonObject();
                        if (alreadySet(wanted, attrs, pending)) {
                            // Ironic: a request repeated after a successful apply costs no reboot
                            return store(task, attrs).map(v -> StepOutcome.DONE);
                        }
                        return nodes.client()
                                .patch(t, path, new JsonObject().put("Attributes", wanted), cur.etag())
                                .compose(v -> requestReboot(task, wanted))
                                .map(v -> StepOutcome.REBOOT_TO_FINISH);
                    });
                })
                .map(o -> (Object) o);
    }

    /** Every wanted value is current and no different value is pending. */
    private static boolean alreadySet(JsonObject wanted, JsonObject attrs, JsonObject pending) {
        for (var e : wanted) {
            String want = String.valueOf(e.getValue());
            if (!want.equals(String.valueOf(attrs.getValue(e.getKey())))) {
                return false;
            }
            if (pending.containsKey(e.getKey()) && !want.equals(String.valueOf(pending.getValue(e.getKey())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * After the reboot (Ironic's _get_unapplied_bios_attrs): the state is cleared, the settings read back are stored,
     * and a requested value that is not current — or still pending, on BMCs whose pending area holds only the changed
     * attributes — fails the step naming it.
     */
    private Future<Void> verify(DriverTask task, JsonObject requested) {
        RedfishTarget t = nodes.target(task);
        return clearRebootState(task).compose(v -> bios(t)).compose(bios -> {
            JsonObject attrs = bios.getJsonObject("Attributes", new JsonObject());
            String target = RedfishClient.odataId(
                    bios.getJsonObject("@Redfish.Settings", new JsonObject()).getValue("SettingsObject"));
            Future<JsonObject> pending = target == null
                    ? Future.succeededFuture(new JsonObject())
                    : nodes.client().getJson(t, target).map(p -> p.getJsonObject("Attributes", new JsonObject()));
            return pending.compose(p -> {
                boolean purged = p.size() <= requested.size();
                List<String> notUpdated = new ArrayList<>();
                List<String> current = new ArrayList<>();
                requested.forEach(e -> {
                    boolean differs = !String.valueOf(e.getValue()).equals(String.valueOf(attrs.getValue(e.getKey())));
                    if (differs || (purged && p.containsKey(e.getKey()))) {
                        notUpdated.add(pythonPair(e.getKey(), e.getValue()));
                        current.add(pythonPair(e.getKey(), attrs.getValue(e.getKey())));
                    }
                });
                return store(task, attrs)
                        .compose(x -> notUpdated.isEmpty()
                                ? Future.succeededFuture()
                                : Future.failedFuture(new RedfishException(
                                        t.bmc(),
                                        "Redfish BIOS apply_configuration step failed. Attributes {"
                                                + String.join(", ", notUpdated) + "} are not updated (the BIOS of node "
                                                + task.uuid() + " has {" + String.join(", ", current)
                                                + "} after the reboot).")));
            });
        });
    }

    private static String pythonPair(String name, Object value) {
        return "'" + name + "': " + (value instanceof String s ? "'" + s + "'" : String.valueOf(value));
    }

    /** Ironic's redfish factory_reset: Bios.ResetBios, a reboot, and the defaults read back. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    @DeployStep(priority = 0)
    public Future<Object> factoryReset(DriverTask task) {
        if (rebootState(task) != null) {
            return clearRebootState(task).compose(v -> cacheBiosSettings(task));
        }
        RedfishTarget t = nodes.target(task);
        return bios(t).compose(bios -> nodes.client().action(t, bios, "#Bios.ResetBios", null, new JsonObject()))
                .compose(v -> requestReboot(task, null))
                .map(v -> StepOutcome.REBOOT_TO_FINISH);
    }

    /** Ironic's cache_bios_settings: the BMC's Bios attributes become the node's BIOS settings. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> cacheBiosSettings(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return bios(t).compose(b -> store(task, b.getJsonObject("Attributes", new JsonObject())))
                .map(v -> null);
    }

    /**
     * Ironic's _query_bios_apply_status for a node waiting without a ramdisk: the system is on and its BootProgress
     * reached the OS; a BMC without BootProgress is back once none of the requested settings is pending any more.
     * Until then (or while the BMC does not answer) the node keeps waiting; the wait timeout is the safety net.
     */
    @Override
    public Future<Boolean> rebootFinished(DriverTask task) {
        JsonObject state = rebootState(task);
        if (state == null) {
            return Future.succeededFuture(true);
        }
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            if (!"On".equals(r.body().getString("PowerState"))) {
                return Future.succeededFuture(false);
            }
            Object progress =
                    r.body().getJsonObject("BootProgress", new JsonObject()).getValue("LastState");
            if (progress != null) {
                return Future.succeededFuture(BOOTED.contains(String.valueOf(progress)));
            }
            JsonObject requested = state.getJsonObject(REQUESTED_ATTRS, new JsonObject());
            return bios(t).compose(bios -> {
                String target = RedfishClient.odataId(bios.getJsonObject("@Redfish.Settings", new JsonObject())
                        .getValue("SettingsObject"));
                if (target == null) {
                    return Future.succeededFuture(true);
                }
                return nodes.client().getJson(t, target).map(p -> {
                    JsonObject pending = p.getJsonObject("Attributes", new JsonObject());
                    return requested.isEmpty()
                            ? pending.isEmpty()
                            : requested.fieldNames().stream().noneMatch(pending::containsKey);
                });
            });
        });
    }

    /** The state of a reboot this interface asked for and is waiting on; null when there is none (or it is stale). */
    private static JsonObject rebootState(DriverTask task) {
        JsonObject dii = task.node().getJsonObject("driver_internal_info", new JsonObject());
        JsonObject state = dii.getValue(STATE) instanceof JsonObject o ? o : null;
        boolean flagged = REBOOT_FLAGS.stream().anyMatch(f -> Boolean.TRUE.equals(dii.getValue(f)));
        return state != null && Boolean.TRUE.equals(state.getValue(REBOOT_REQUESTED)) && flagged ? state : null;
    }

    /** Ironic's _set_reboot_requested: what the verification after the reboot needs, kept with the node. */
    private static Future<Void> requestReboot(DriverTask task, JsonObject attributes) {
        JsonObject state = new JsonObject().put(REBOOT_REQUESTED, true);
        if (attributes != null) {
            state.put(REQUESTED_ATTRS, attributes);
        }
        JsonObject dii = task.node()
                .getJsonObject("driver_internal_info", new JsonObject())
                .copy();
        return task.save(Map.of("driver_internal_info", dii.put(STATE, state))).mapEmpty();
    }

    /** Ironic's _clear_reboot_requested. */
    private static Future<Void> clearRebootState(DriverTask task) {
        JsonObject dii = task.node()
                .getJsonObject("driver_internal_info", new JsonObject())
                .copy();
        dii.remove(STATE);
        return task.save(Map.of("driver_internal_info", dii)).mapEmpty();
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
}
