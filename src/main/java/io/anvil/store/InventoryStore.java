package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The last inspection's data per node ({@code node_inventory}): Ironic's NodeInventory with its
 * {@code inventory_data} and {@code plugin_data}. Stored in the same transaction as the properties and ports the
 * inspection derives from it, so the API never shows one without the other.
 */
public final class InventoryStore {
    private final Database db;

    public InventoryStore(Database db) {
        this.db = db;
    }

    /** Saves (or replaces) the node's inspection data. */
    public Future<Void> save(SqlClient client, long nodeId, JsonObject inventory, JsonObject pluginData) {
        return client.preparedQuery(
                        "INSERT INTO node_inventory (node_id, inventory_data, plugin_data) VALUES ($1, $2, $3)"
                                + " ON CONFLICT (node_id) DO UPDATE SET inventory_data = EXCLUDED.inventory_data,"
                                + " plugin_data = EXCLUDED.plugin_data, updated_at = now()")
                .execute(Tuple.of(nodeId, inventory, pluginData == null ? new JsonObject() : pluginData))
                .mapEmpty();
    }

    /** {"inventory": ..., "plugin_data": ...} as Ironic's API returns it, or null when the node was never inspected. */
    public Future<JsonObject> find(long nodeId) {
        return db.reads()
                .preparedQuery("SELECT inventory_data, plugin_data FROM node_inventory WHERE node_id = $1")
                .execute(Tuple.of(nodeId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    var row = rows.iterator().next();
                    return new JsonObject()
                            .put("inventory", row.getJsonObject(0))
                            .put("plugin_data", row.getJsonObject(1));
                });
    }

    /** Ironic wipes inspection data when a node is inspected again or cleaned for a new owner; same here. */
    public Future<Void> delete(SqlClient client, long nodeId) {
        return client.preparedQuery("DELETE FROM node_inventory WHERE node_id = $1")
                .execute(Tuple.of(nodeId))
                .mapEmpty();
    }
}
