package io.anvil.driver;

import io.anvil.errors.UnsupportedDriverExtension;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Ironic's management interface: boot devices, and the optional features whose defaults answer Ironic's
 * UnsupportedDriverExtension (NMI, boot mode, secure boot, indicators), as {@code ironic/drivers/base.py:
 * ManagementInterface} does.
 */
public interface ManagementInterface {
    Future<Void> validate(DriverTask task);

    List<String> supportedBootDevices(DriverTask task);

    Future<Void> setBootDevice(DriverTask task, String device, boolean persistent);

    /** {"boot_device": ..., "persistent": ...} as Ironic's API returns it. */
    Future<JsonObject> getBootDevice(DriverTask task);

    /** Ironic's inject_nmi: a diagnostic (non-maskable) interrupt to the running OS. */
    default Future<Void> injectNmi(DriverTask task) {
        return unsupported(task, "inject_nmi");
    }

    /** Ironic's set_boot_mode ("bios" or "uefi") for the next boot. */
    default Future<Void> setBootMode(DriverTask task, String mode) {
        return unsupported(task, "set_boot_mode");
    }

    /** Ironic's set_secure_boot_state. */
    default Future<Void> setSecureBootState(DriverTask task, boolean enabled) {
        return unsupported(task, "set_secure_boot_state");
    }

    /**
     * Ironic's get_supported_indicators: {component: {name: {"readonly": bool, "states": [...]}}}, only
     * {@code component}'s when it is not null.
     */
    default Future<JsonObject> supportedIndicators(DriverTask task, String component) {
        return unsupported(task, "get_supported_indicators");
    }

    /** Ironic's get_indicator_state: "ON", "OFF", "BLINKING" or "UNKNOWN". */
    default Future<String> getIndicatorState(DriverTask task, String component, String indicator) {
        return unsupported(task, "get_indicator_state");
    }

    default Future<Void> setIndicatorState(DriverTask task, String component, String indicator, String state) {
        return unsupported(task, "set_indicator_state");
    }

    /**
     * Ironic's get_sensors_data: {sensor type: {sensor id: {reading fields, "health", "state"}}}, types such as
     * "Temperature", "Fan", "Power", "Drive" (read by the send_sensor_data periodic; docs/operations.md#sensor-data).
     */
    default Future<JsonObject> getSensorsData(DriverTask task) {
        return unsupported(task, "get_sensors_data");
    }

    private static <T> Future<T> unsupported(DriverTask task, String extension) {
        return Future.failedFuture(new UnsupportedDriverExtension(task.node().getString("driver"), extension));
    }
}
