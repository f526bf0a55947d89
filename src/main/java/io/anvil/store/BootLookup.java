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
}
