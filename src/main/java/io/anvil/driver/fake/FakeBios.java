package io.anvil.driver.fake;

import io.anvil.driver.BiosInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.StepArg;
import io.anvil.errors.AnvilException;
import io.anvil.store.BiosSettingsStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Ironic's fake BIOS interface ({@code ironic/drivers/modules/fake.py: FakeBIOS}): its clean steps really change the
 * node's stored settings, so a manual clean with {@code bios.apply_configuration} changes what
 * {@code GET /v1/nodes/{id}/bios} shows. Out-of-band: Anvil's fake deploy boots no ramdisk.
 */
public final class FakeBios implements BiosInterface {
    private final BiosSettingsStore settings;

    public FakeBios(BiosSettingsStore settings) {
        this.settings = settings;
    }

    /** The node's settings become exactly {@code settings} (Ironic's sync_node_setting, create, save, delete). */
    @CleanStep(
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(
                        name = "settings",
                        description = "List of BIOS settings, each item needs to contain a dictionary with name/value"
                                + " pairs",
                        required = true)
            })
    public Future<Object> applyConfiguration(DriverTask task, JsonObject args) {
        return settings.replaceAll(task.node().getLong("id"), task.fence(), parse(args.getValue("settings")))
                .map(x -> null);
    }

    /** Every stored setting is removed, as Ironic's fake factory_reset does. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> factoryReset(DriverTask task) {
        return settings.deleteAll(task.node().getLong("id"), task.fence()).map(x -> null);
    }

    /** Nothing to read from fake hardware: the stored settings are the truth. */
    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> cacheBiosSettings(DriverTask task) {
        return Future.succeededFuture();
    }

    /** [{"name": ..., "value": ...}, ...]; values are stored as strings (Ironic's BIOSSetting.value is a string). */
    static List<JsonObject> parse(Object raw) {
        if (!(raw instanceof JsonArray list)) {
            throw AnvilException.invalid(
                    "The 'settings' argument of bios.apply_configuration must be a list of {\"name\": ..., \"value\":"
                            + " ...} objects.");
        }
        List<JsonObject> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof JsonObject s)
                    || !(s.getValue("name") instanceof String name)
                    || name.isBlank()
                    || !s.containsKey("value")) {
                throw AnvilException.invalid("Each BIOS setting must be an object with a non-empty 'name' and a"
                        + " 'value'; got " + item + ".");
            }
            Object v = s.getValue("value");
            out.add(new JsonObject().put("name", name).put("value", v == null ? null : String.valueOf(v)));
        }
        return out;
    }
}
