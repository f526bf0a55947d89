package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's BIOS settings ({@code bios_settings}, Ironic's BIOSSetting objects). Rows are JSON objects with Ironic's
 * field names: name, value, the registry fields of API 1.74, created_at and updated_at.
 */
public final class BiosSettingsStore {
    /** The registry fields (API 1.74), in Ironic's order. */
    public static final List<String> REGISTRY_FIELDS = List.of(
            "attribute_type",
            "allowable_values",
            "lower_bound",
            "max_length",
            "min_length",
            "read_only",
            "reset_required",
            "unique",
            "upper_bound");

    private static final String COLUMNS = "name, value, attribute_type, allowable_values, lower_bound, max_length,"
            + " min_length, read_only, reset_required, \"unique\", upper_bound, created_at, updated_at";

    private final Database db;

    public BiosSettingsStore(Database db) {
        this.db = db;
    }

    /** Every setting of the node, by name. */
    public Future<List<JsonObject>> list(long nodeId) {
        return db.reads()
                .preparedQuery("SELECT " + COLUMNS + " FROM bios_settings WHERE node_id = $1 ORDER BY name")
                .execute(Tuple.of(nodeId))
                .map(rows -> {
                    List<JsonObject> out = new ArrayList<>();
                    rows.forEach(r -> out.add(json(r)));
                    return out;
                });
    }

    /** One setting, or null. */
    public Future<JsonObject> find(long nodeId, String name) {
        return db.reads()
                .preparedQuery("SELECT " + COLUMNS + " FROM bios_settings WHERE node_id = $1 AND name = $2")
                .execute(Tuple.of(nodeId, name))
                .map(rows -> rows.size() == 0 ? null : json(rows.iterator().next()));
    }

    /**
     * Ironic's fake apply_configuration (BIOSSettingList.sync_node_setting, then create, save and delete): afterwards
     * the node has exactly {@code settings} ({"name": ..., "value": ...} each, values as strings), in one transaction.
     * A setting whose value did not change keeps its updated_at.
     */
    public Future<Void> replaceAll(long nodeId, long fence, List<JsonObject> settings) {
        List<String> names = settings.stream().map(s -> s.getString("name")).toList();
        return db.inTransaction(tx -> fenced(tx, nodeId, fence).compose(ok -> tx.preparedQuery(
                                "DELETE FROM bios_settings WHERE node_id = $1 AND NOT (name = ANY($2))")
                        .execute(Tuple.tuple().addLong(nodeId).addArrayOfString(names.toArray(String[]::new)))
                        .compose(x -> {
                            if (settings.isEmpty()) {
                                return Future.succeededFuture();
                            }
                            List<Tuple> batch = new ArrayList<>();
                            for (JsonObject s : settings) {
                                batch.add(Tuple.of(nodeId, s.getString("name"), s.getString("value")));
                            }
                            return tx.preparedQuery("INSERT INTO bios_settings (node_id, name, value) VALUES ($1, $2,"
                                            + " $3) ON CONFLICT (node_id, name) DO UPDATE SET value = EXCLUDED.value,"
                                            + " updated_at = now() WHERE bios_settings.value IS DISTINCT FROM"
                                            + " EXCLUDED.value")
                                    .executeBatch(batch)
                                    .mapEmpty();
                        })))
                .mapEmpty();
    }

    /** Ironic's fake factory_reset: every setting is gone. */
    public Future<Void> deleteAll(long nodeId, long fence) {
        return db.inTransaction(tx -> fenced(tx, nodeId, fence)
                .compose(ok -> tx.preparedQuery("DELETE FROM bios_settings WHERE node_id = $1")
                        .execute(Tuple.of(nodeId)))
                .mapEmpty());
    }

    /**
     * Holds the node's row for this transaction if the lock's fencing token is still the node's (docs/locks.md);
     * else fails with 409 and nothing is written.
     */
    private static Future<Void> fenced(SqlConnection tx, long nodeId, long fence) {
        return tx.preparedQuery("SELECT 1 FROM nodes WHERE id = $1 AND lock_fence = $2 FOR UPDATE")
                .execute(Tuple.of(nodeId, fence))
                .compose(
                        rows -> rows.size() == 1
                                ? Future.succeededFuture()
                                : Future.failedFuture(
                                        new io.anvil.errors.AnvilException(
                                                409,
                                                "The node's lock was lost (fencing token " + fence
                                                        + " is no longer current); its BIOS settings were not written. Please retry.")));
    }

    private static JsonObject json(Row r) {
        Object allowable = r.getValue("allowable_values");
        return new JsonObject()
                .put("name", r.getString("name"))
                .put("value", r.getString("value"))
                .put("attribute_type", r.getString("attribute_type"))
                .put("allowable_values", allowable instanceof JsonArray a ? a : null)
                .put("lower_bound", r.getInteger("lower_bound"))
                .put("max_length", r.getInteger("max_length"))
                .put("min_length", r.getInteger("min_length"))
                .put("read_only", r.getBoolean("read_only"))
                .put("reset_required", r.getBoolean("reset_required"))
                .put("unique", r.getBoolean("unique"))
                .put("upper_bound", r.getInteger("upper_bound"))
                .put("created_at", time(r.getOffsetDateTime("created_at")))
                .put("updated_at", time(r.getOffsetDateTime("updated_at")));
    }

    private static String time(OffsetDateTime t) {
        return RowJson.formatTime(t);
    }
}
