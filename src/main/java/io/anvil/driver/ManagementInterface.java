package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Ironic's management interface: boot devices. */
public interface ManagementInterface {
    Future<Void> validate(DriverTask task);

    List<String> supportedBootDevices(DriverTask task);

    Future<Void> setBootDevice(DriverTask task, String device, boolean persistent);

    /** {"boot_device": ..., "persistent": ...} as Ironic's API returns it. */
    Future<JsonObject> getBootDevice(DriverTask task);
}
