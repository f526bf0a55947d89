package io.anvil.driver.network;

import io.anvil.driver.DriverTask;
import io.anvil.driver.NetworkInterface;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Ironic's {@code noop} network interface (ironic/drivers/modules/network/noop.py): attaching and detaching accept
 * anything and record nothing, and the node lists no VIFs.
 */
public final class NoopNetwork implements NetworkInterface {
    @Override
    public Future<List<JsonObject>> vifList(DriverTask task) {
        return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Void> vifAttach(DriverTask task, JsonObject vifInfo) {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> vifDetach(DriverTask task, String vifId) {
        return Future.succeededFuture();
    }
}
