package io.anvil.auth;

import io.anvil.store.Database;
import io.anvil.store.ResourceDef;
import io.anvil.store.Resources;
import io.anvil.store.SchedulingResources;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The owner and lessee a rule is checked against: of a node, of a port/portgroup/volume resource's node, or of an
 * allocation (its own owner, and its node's). One indexed read, only for project-scoped callers (an admin or system
 * reader never needs it). Absent resources are {@link #NONE}: the route then answers its own 404 or 400.
 */
final class Targets {
    /** Whose a resource is; {@code allocationOwner} only for allocations. */
    record Target(String owner, String lessee, String allocationOwner) {}

    static final Target NONE = null;

    private final Database db;

    Targets(Database db) {
        this.db = db;
    }

    Future<Target> node(String ident) {
        return one(
                "SELECT owner, lessee, NULL FROM " + Resources.NODE.table() + " n WHERE ", "n", Resources.NODE, ident);
    }

    Future<Target> child(ResourceDef def, String ident) {
        return one(
                "SELECT n.owner, n.lessee, NULL FROM " + def.table() + " c JOIN " + Resources.NODE.table()
                        + " n ON n.id = c.node_id WHERE ",
                "c",
                def,
                ident);
    }

    Future<Target> allocation(String ident) {
        return one(
                "SELECT n.owner, n.lessee, a.owner FROM " + SchedulingResources.ALLOCATION.table() + " a LEFT JOIN "
                        + Resources.NODE.table() + " n ON n.id = a.node_id WHERE ",
                "a",
                SchedulingResources.ALLOCATION,
                ident);
    }

    private Future<Target> one(String select, String alias, ResourceDef def, String ident) {
        UUID uuid = SqlValues.uuidOrNull(ident);
        if (uuid == null && !def.named()) {
            return Future.succeededFuture(NONE);
        }
        String where = alias + (uuid != null ? ".uuid = $1" : ".name = $1");
        return db.reads()
                .preparedQuery(select + where)
                .execute(Tuple.of(uuid != null ? uuid : ident))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return NONE;
                    }
                    Row r = rows.iterator().next();
                    return new Target(r.getString(0), r.getString(1), r.getString(2));
                });
    }
}
