package io.anvil.driver.redfish;

import io.anvil.driver.DriverTask;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishResponse;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** What every redfish interface shares: the client, Vert.x, and the node → {@link RedfishTarget} step. */
public final class RedfishNodes {
    private final Vertx vertx;
    private final RedfishClient client;
    private final RedfishTarget.AuthType defaultAuth;

    /** @param defaultAuth redfish.auth_type, for nodes whose driver_info has no redfish_auth_type */
    public RedfishNodes(Vertx vertx, RedfishClient client, RedfishTarget.AuthType defaultAuth) {
        this.vertx = vertx;
        this.client = client;
        this.defaultAuth = defaultAuth;
    }

    public Vertx vertx() {
        return vertx;
    }

    public RedfishClient client() {
        return client;
    }

    public RedfishTarget target(DriverTask task) {
        return RedfishDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"), defaultAuth);
    }

    public Future<Void> validate(DriverTask task) {
        return RedfishDriverInfo.validate(vertx, task.uuid(), task.node().getJsonObject("driver_info"), defaultAuth)
                .mapEmpty();
    }

    /** The node's ComputerSystem, read now. */
    public Future<RedfishResponse> system(DriverTask task) {
        try {
            return client.system(target(task));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
