package io.anvil.events;

import io.anvil.util.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Ironic's NodePayload built from a stored node row: bookkeeping columns dropped, secrets masked. */
public final class NodePayloads {
    private NodePayloads() {}

    /** Columns a payload leaves out. */
    private static final Set<String> LEFT_OUT =
            Set.of("id", "lock_fence", "row_version", "heartbeat_event_at", "driver_internal_info");
    /** Columns whose secrets are masked. */
    private static final Set<String> MASKED = Set.of("driver_info", "instance_info", "properties", "extra");

    /** A new object: what it keeps of {@code row} is copied (masked where secrets may be), what it leaves out is not. */
    public static JsonObject node(JsonObject row) {
        JsonObject p = new JsonObject(new LinkedHashMap<>(row.size()));
        for (Map.Entry<String, Object> e : row) {
            String k = e.getKey();
            if (LEFT_OUT.contains(k)) {
                continue;
            }
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                JsonObject o = new JsonObject((Map<String, Object>) m);
                v = o;
            } else if (v instanceof List<?> l) {
                v = new JsonArray(l);
            }
            if (v instanceof JsonObject o) {
                p.put(k, MASKED.contains(k) ? Secrets.mask(o) : o.copy());
            } else if (v instanceof JsonArray a) {
                p.put(k, a.copy());
            } else {
                p.put(k, v);
            }
        }
        return p;
    }
}
