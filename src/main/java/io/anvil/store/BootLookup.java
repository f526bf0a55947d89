package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

/** Finds the node a booting machine belongs to from the MAC address its firmware asks with. */
public final class BootLookup {
    private final Database db;

    public BootLookup(Database db) {
        this.db = db;
    }

    /** The node owning the port with this MAC (lower-case, colon-separated), or null. One indexed read. */
    public Future<JsonObject> nodeByMac(String mac) {
        return db.reads()
                .preparedQuery(
                        Resources.NODE.selectFrom() + " WHERE t.id = (SELECT node_id FROM ports WHERE address = $1)")
                .execute(Tuple.of(mac))
                .map(rows ->
                        rows.size() == 0 ? null : RowJson.toJson(rows.iterator().next()));
    }

    /**
     * The node that waits longest in "inspect wait" with a boot Anvil does not manage (no port to serve a script
     * for; the agent inspect interface records {@code inspector_manage_boot: false}), or null. "inspecting" counts
     * too: the machine is powered on just before the node records "inspect wait".
     */
    public Future<JsonObject> nodeInUnmanagedInspection() {
        return db.reads()
                .preparedQuery(Resources.NODE.selectFrom()
                        + " WHERE t.provision_state IN ('inspecting', 'inspect wait')"
                        + " AND t.driver_internal_info -> 'inspector_manage_boot' = 'false'::jsonb"
                        + " ORDER BY t.inspection_started_at, t.id LIMIT 1")
                .execute()
                .map(rows ->
                        rows.size() == 0 ? null : RowJson.toJson(rows.iterator().next()));
    }
}
