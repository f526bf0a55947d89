package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.ManagementInterface;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** Ironic's fake management: the boot device lives in driver_internal_info. */
public final class FakeManagement implements ManagementInterface {
    private static final String KEY = "fake_boot_device";

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
}
