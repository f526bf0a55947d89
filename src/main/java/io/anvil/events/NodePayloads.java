package io.anvil.events;

import io.anvil.util.Secrets;
import io.vertx.core.json.JsonObject;

/** Ironic's NodePayload built from a stored node row: bookkeeping columns dropped, secrets masked. */
public final class NodePayloads {
    private NodePayloads() {}

    public static JsonObject node(JsonObject row) {
        JsonObject p = row.copy();
        p.remove("id");
        p.remove("lock_fence");
        p.remove("row_version");
        p.remove("heartbeat_event_at");
        p.remove("driver_internal_info");
        for (String k : new String[] {"driver_info", "instance_info", "properties", "extra"}) {
            if (p.getValue(k) instanceof JsonObject o) {
                p.put(k, Secrets.mask(o));
            }
        }
        return p;
    }
}
