package io.anvil.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.UUID;

/** Turns a row into the JSON object the API speaks, in Ironic's formats (ISO timestamps with +00:00). */
public final class RowJson {
    /** Python's datetime.isoformat(), which Ironic emits: microseconds and an explicit +00:00. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    /** Columns that exist for Anvil's own bookkeeping and never leave the store as resource fields. */
    private static final Set<String> HIDDEN = Set.of("node_id", "portgroup_id", "conductor_affinity");

    private RowJson() {}

    public static JsonObject toJson(Row row) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < row.size(); i++) {
            String col = row.getColumnName(i);
            if (HIDDEN.contains(col)) {
                continue;
            }
            o.put(col, value(row.getValue(i)));
        }
        return o;
    }

    public static Object value(Object v) {
        if (v == null || v == Tuple.JSON_NULL) {
            return null;
        }
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof OffsetDateTime t) {
            return formatTime(t);
        }
        if (v instanceof JsonObject || v instanceof JsonArray) {
            return v;
        }
        return v;
    }

    public static String formatTime(OffsetDateTime t) {
        return t == null ? null : ISO.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
