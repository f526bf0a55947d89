package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.ManagementInterface;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Ironic's fake management: the boot device lives in driver_internal_info. Unlike Ironic's (which refuses them), the
 * boot mode and secure boot changes succeed, so the API's node fields can be exercised without hardware
 * (docs/api.md#management). The indicators are Ironic's fake ones; the writable system LED keeps the state set.
 */
public final class FakeManagement implements ManagementInterface {
    private static final String KEY = "fake_boot_device";
    private static final String LED_KEY = "fake_indicator_states";

    /** Ironic's FakeManagement.get_supported_indicators. */
    private static final JsonObject INDICATORS = new JsonObject()
            .put(
                    "chassis",
                    new JsonObject()
                            .put(
                                    "led-0",
                                    new JsonObject()
                                            .put("readonly", true)
                                            .put(
                                                    "states",
                                                    new JsonArray().add("OFF").add("ON"))))
            .put(
                    "system",
                    new JsonObject()
                            .put(
                                    "led",
                                    new JsonObject()
                                            .put("readonly", false)
                                            .put(
                                                    "states",
                                                    new JsonArray()
                                                            .add("BLINKING")
                                                            .add("OFF")
                                                            .add("ON"))));

    @Override
    public Future<Void> validate(DriverTask task) {
        return Future.succeededFuture();
    }

    @Override
    public List<String> supportedBootDevices(DriverTask task) {
        return List.of("pxe", "disk", "cdrom", "bios", "safe");
    }

    @Override
    public Future<Void> setBootDevice(DriverTask task, String device, boolean persistent) {
        JsonObject internal = task.node()
                .getJsonObject("driver_internal_info")
                .copy()
                .put(KEY, new JsonObject().put("boot_device", device).put("persistent", persistent));
        return task.save(Map.of("driver_internal_info", internal)).mapEmpty();
    }

    @Override
    public Future<JsonObject> getBootDevice(DriverTask task) {
        JsonObject stored = task.node().getJsonObject("driver_internal_info").getJsonObject(KEY);
        return Future.succeededFuture(
                stored != null
                        ? stored.copy()
                        : new JsonObject().put("boot_device", "pxe").put("persistent", false));
    }

    /** The conductor records the new mode on the node; the fake hardware has nothing else to change. */
    @Override
    public Future<Void> setBootMode(DriverTask task, String mode) {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> setSecureBootState(DriverTask task, boolean enabled) {
        return Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> supportedIndicators(DriverTask task, String component) {
        JsonObject out = new JsonObject();
        INDICATORS.forEach(e -> {
            if (component == null || component.equals(e.getKey())) {
                out.put(e.getKey(), ((JsonObject) e.getValue()).copy());
            }
        });
        return Future.succeededFuture(out);
    }

    /** Ironic's fake answers ON for every indicator; a state set on the writable LED is answered instead. */
    @Override
    public Future<String> getIndicatorState(DriverTask task, String component, String indicator) {
        checkIndicator(component, indicator);
        JsonObject stored = task.node().getJsonObject("driver_internal_info").getJsonObject(LED_KEY);
        String state = stored == null ? null : stored.getString(component + "/" + indicator);
        return Future.succeededFuture(state == null ? "ON" : state);
    }

    @Override
    public Future<Void> setIndicatorState(DriverTask task, String component, String indicator, String state) {
        JsonObject info = checkIndicator(component, indicator);
        if (info.getBoolean("readonly")) {
            return Future.failedFuture(AnvilException.invalid(
                    "Indicator " + indicator + "@" + component + " is read-only and cannot be set."));
        }
        if (!info.getJsonArray("states").contains(state)) {
            return Future.failedFuture(
                    AnvilException.invalid("Invalid indicator state " + state + " specified;" + " supported: "
                            + String.join(", ", info.getJsonArray("states").getList()) + "."));
        }
        JsonObject internal = task.node().getJsonObject("driver_internal_info").copy();
        JsonObject states = internal.getJsonObject(LED_KEY, new JsonObject()).copy();
        internal.put(LED_KEY, states.put(component + "/" + indicator, state));
        return task.save(Map.of("driver_internal_info", internal)).mapEmpty();
    }

    private static JsonObject checkIndicator(String component, String indicator) {
        JsonObject names = INDICATORS.getJsonObject(component);
        if (names == null) {
            throw AnvilException.invalid("Invalid component " + component + " specified.");
        }
        JsonObject info = names.getJsonObject(indicator);
        if (info == null) {
            throw AnvilException.invalid("Invalid indicator " + indicator + " specified.");
        }
        return info;
    }
}
