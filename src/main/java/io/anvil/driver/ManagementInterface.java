package io.anvil.driver;

import io.anvil.conductor.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Ironic's management interface: boot devices. */
public interface ManagementInterface {
    Future<Void> validate(Task task);

    List<String> supportedBootDevices(Task task);

    Future<Void> setBootDevice(Task task, String device, boolean persistent);

    /** {"boot_device": ..., "persistent": ...} as Ironic's API returns it. */
    Future<JsonObject> getBootDevice(Task task);
}
