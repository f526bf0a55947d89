package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.store.InventoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/nodes/{node_ident}/inventory}: the last inspection's data, {@code {"inventory": ..., "plugin_data":
 * ...}} (Ironic's NodeInventoryController). Ironic added it in API 1.81 and answers 404 below that version, so a
 * client that negotiated an older version never sees it. Anvil's advertised maximum is 1.78, so today the route is
 * reachable by no negotiated request: it serves the moment the advertised maximum reaches 1.81.
 */
final class InventoryApi {
    /** MINOR_81_NODE_INVENTORY. */
    static final int MIN_VERSION = 81;

    private final NodeApi nodes;
    private final InventoryStore store;

    InventoryApi(ApiServices services, NodeApi nodes) {
        this.nodes = nodes;
        this.store = new InventoryStore(services.store().database());
    }

    Future<JsonObject> show(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(MIN_VERSION)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
        return nodes.load(ctx.pathParam("node")).compose(node -> store.find(node.getLong("id"))
                .compose(data -> data != null
                        ? Future.succeededFuture(data)
                        : Future.failedFuture(AnvilException.notFound(
                                "Node inventory record for node " + node.getString("uuid") + " could not be found."))));
    }
}
