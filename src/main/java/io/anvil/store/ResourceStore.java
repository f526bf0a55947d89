package io.anvil.store;

import io.anvil.errors.AnvilException;
import io.anvil.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Generic reads and writes of the resources described by {@link ResourceDef}. Values handed in are keyed by
 * column and already SQL-typed (see {@link SqlValues}). Unique violations become Ironic's 409 messages.
 *
 * <p>Node writes seal the secret values of driver_info, instance_info and driver_internal_info
 * ({@link SecretBox}, docs/security.md#secrets-at-rest); reads return rows as stored, sealed: the API masks those
 * fields anyway, and the conductor opens the row where it becomes a task's node.
 */
public final class ResourceStore {
    private final Database db;
    private final SecretBox secrets;

    /** A store that writes secrets as given (tests of the store itself). */
    public ResourceStore(Database db) {
        this(db, SecretBox.plaintext());
    }

    public ResourceStore(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public Database database() {
        return db;
    }

    /** How node secrets are sealed on write and opened by the conductor. */
    public SecretBox secrets() {
        return secrets;
    }

    /** The columns to write: for a node, a copy with its secret values sealed. */
    private Map<String, Object> sealed(ResourceDef def, Map<String, Object> columns) {
        if (def != Resources.NODE || !secrets.encrypts()) {
            return columns;
        }
        Map<String, Object> out = new LinkedHashMap<>(columns);
        secrets.sealColumns(out);
        return out;
    }

    /** By UUID, or by name for named resources; null when absent. */
    public Future<JsonObject> find(ResourceDef def, String ident) {
        return find(db.reads(), def, ident, false);
    }

    /**
     * The UUID of the resource named by {@code ident} (a UUID or, for named resources, a name); null when absent. A
     * one-column read, for callers that only need to know which row (a lock key) and read the row itself later.
     */
    public Future<String> uuidOf(ResourceDef def, String ident) {
        UUID uuid = SqlValues.uuidOrNull(ident);
        if (uuid == null && !def.named()) {
            return Future.succeededFuture(null);
        }
        return db.reads()
                .preparedQuery("SELECT uuid::text FROM " + def.table() + " WHERE " + (uuid != null ? "uuid" : "name")
                        + " = $1")
                .execute(Tuple.of(uuid != null ? uuid : ident))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /** Like {@link #find} inside a transaction, locking the row against concurrent writers. */
    public Future<JsonObject> findForUpdate(SqlClient tx, ResourceDef def, String ident) {
        return find(tx, def, ident, true);
    }

    private Future<JsonObject> find(SqlClient client, ResourceDef def, String ident, boolean forUpdate) {
        UUID uuid = SqlValues.uuidOrNull(ident);
        String lock = forUpdate ? " FOR UPDATE OF t" : "";
        if (uuid != null) {
            return one(client, def.selectFrom() + " WHERE t.uuid = $1" + lock, Tuple.of(uuid));
        }
        if (!def.named()) {
            return Future.succeededFuture(null);
        }
        return one(client, def.selectFrom() + " WHERE t.name = $1" + lock, Tuple.of(ident));
    }

    /**
     * The row's version: PostgreSQL's xmin, which changes with every update of the row. Lets readers validate a
     * cached rendering with a one-column primary-key read. Null when absent.
     */
    public Future<Long> rowVersion(ResourceDef def, String ident) {
        UUID uuid = SqlValues.uuidOrNull(ident);
        String where = uuid != null ? "uuid" : "name";
        if (uuid == null && !def.named()) {
            return Future.succeededFuture(null);
        }
        return db.reads()
                .preparedQuery("SELECT xmin::text::bigint FROM " + def.table() + " WHERE " + where + " = $1")
                .execute(Tuple.of(uuid != null ? uuid : ident))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    /** The marker row's id and raw sort value, for keyset pagination; sortKey is a validated column name. */
    public Future<ListQuery.JsonMarker> findRaw(ResourceDef def, String uuid, String sortKey) {
        return db.reads()
                .preparedQuery("SELECT t.id, t." + sortKey + " FROM " + def.table() + " t WHERE t.uuid = $1")
                .execute(Tuple.of(SqlValues.uuidOrNull(uuid)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new ListQuery.JsonMarker(r.getValue(1), r.getLong(0));
                });
    }

    /** Full rows for these ids, in no particular order (rows deleted meanwhile are simply absent). */
    public Future<List<JsonObject>> findByIds(ResourceDef def, List<Long> ids) {
        return db.reads()
                .preparedQuery(def.selectFrom() + " WHERE t.id = ANY($1)")
                .execute(Tuple.of(ids.toArray(new Long[0])))
                .map(ResourceStore::all);
    }

    public Future<JsonObject> findById(SqlClient client, ResourceDef def, long id) {
        return one(client, def.selectFrom() + " WHERE t.id = $1", Tuple.of(id));
    }

    private static Future<JsonObject> one(SqlClient client, String sql, Tuple params) {
        return client.preparedQuery(sql)
                .execute(params)
                .map(rows ->
                        rows.size() == 0 ? null : RowJson.toJson(rows.iterator().next()));
    }

    public Future<List<JsonObject>> list(ResourceDef def, ListQuery q) {
        ListQuery.Built built = q.build(def.selectFrom());
        return db.reads()
                .preparedQuery(built.sql())
                .execute(Tuple.from(built.params()))
                .map(ResourceStore::all);
    }

    private static List<JsonObject> all(RowSet<Row> rows) {
        List<JsonObject> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(RowJson.toJson(r));
        }
        return out;
    }

    /** Inserts and returns the stored resource as the API reads it. */
    public Future<JsonObject> insert(SqlClient client, ResourceDef def, Map<String, Object> given) {
        Map<String, Object> columns = sealed(def, given);
        StringJoiner names = new StringJoiner(", ");
        StringJoiner marks = new StringJoiner(", ");
        List<Object> params = new ArrayList<>();
        columns.forEach((k, v) -> {
            names.add(k);
            params.add(v);
            marks.add("$" + params.size());
        });
        if (def.returning() != null) {
            return one(
                    client,
                    "INSERT INTO " + def.table() + " AS t (" + names + ") VALUES (" + marks + ") RETURNING "
                            + def.returning(),
                    Tuple.from(params),
                    def,
                    columns);
        }
        String sql = "INSERT INTO " + def.table() + " (" + names + ") VALUES (" + marks + ") RETURNING id";
        return client.preparedQuery(sql)
                .execute(Tuple.from(params))
                .recover(e -> Future.failedFuture(Conflicts.translate(def, e, columns)))
                .compose(rows -> findById(client, def, rows.iterator().next().getLong(0)));
    }

    /** Updates the given columns (and updated_at) and returns the resource as stored. */
    public Future<JsonObject> update(SqlClient client, ResourceDef def, long id, Map<String, Object> columns) {
        if (columns.isEmpty()) {
            return findById(client, def, id);
        }
        return updateGuarded(client, def, id, columns, null);
    }

    /**
     * Updates only while {@code guard} still holds (the fencing check of node writes); returns null when the guard no
     * longer matches, and nothing was written. A null guard updates unconditionally.
     */
    public Future<JsonObject> updateGuarded(
            SqlClient client, ResourceDef def, long id, Map<String, Object> given, RowGuard guard) {
        Map<String, Object> columns = sealed(def, given);
        List<Object> params = new ArrayList<>();
        String update = guardedUpdate(def, id, columns, guard, params);
        if (def.returning() == null) {
            return client.preparedQuery(update)
                    .execute(Tuple.from(params))
                    .recover(e -> Future.failedFuture(Conflicts.translate(def, e, columns)))
                    .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(null) : findById(client, def, id));
        }
        // the row as written comes back with the UPDATE itself: no second read
        return one(client, update + " RETURNING " + def.returning(), Tuple.from(params), def, columns);
    }

    /**
     * Like {@link #updateGuarded} for a resource read without a join ({@link ResourceDef#returning()}), in one
     * statement with {@code then}: a data-modifying statement that reads the written row as {@code u} (a CTE; it
     * sees no row, so writes nothing, when the guard did not match). {@code then} gets the number of the first
     * parameter after the update's and appends its own parameters to the list it is given. An autocommit statement,
     * which may be committed together with others of its text ({@link GroupCommit}).
     */
    public Future<JsonObject> updateGuardedThen(
            GroupCommit group,
            ResourceDef def,
            long id,
            Map<String, Object> given,
            RowGuard guard,
            java.util.function.BiFunction<Integer, List<Object>, String> then) {
        if (def.returning() == null) {
            throw new IllegalArgumentException(def.plural() + " are read with a join: no single-statement update");
        }
        Map<String, Object> columns = sealed(def, given);
        List<Object> params = new ArrayList<>();
        String update = guardedUpdate(def, id, columns, guard, params);
        String next = then.apply(params.size() + 1, params);
        String sql = "WITH u AS (" + update + " RETURNING " + def.returning() + "), written AS (" + next
                + ") SELECT * FROM u";
        return one(group.execute(sql, Tuple.from(params)), def, columns);
    }

    /** {@code UPDATE <table> t SET ... WHERE id = ... [AND guard]}, its parameters added to {@code params}. */
    private static String guardedUpdate(
            ResourceDef def, long id, Map<String, Object> columns, RowGuard guard, List<Object> params) {
        StringJoiner sets = new StringJoiner(", ");
        columns.forEach((k, v) -> {
            params.add(v);
            sets.add(k + " = $" + params.size());
        });
        sets.add("updated_at = now()");
        params.add(id);
        String sql = "UPDATE " + def.table() + " t SET " + sets + " WHERE id = $" + params.size();
        if (guard != null) {
            sql += " AND " + guard.render(params);
        }
        return sql;
    }

    private static Future<JsonObject> one(
            SqlClient client, String sql, Tuple params, ResourceDef def, Map<String, Object> columns) {
        return one(client.preparedQuery(sql).execute(params), def, columns);
    }

    /** The one row a write returned (null when it wrote none), its errors in Ironic's wording. */
    private static Future<JsonObject> one(Future<RowSet<Row>> executed, ResourceDef def, Map<String, Object> columns) {
        return executed.recover(e -> Future.failedFuture(Conflicts.translate(def, e, columns)))
                .map(rows ->
                        rows.size() == 0 ? null : RowJson.toJson(rows.iterator().next()));
    }

    public Future<Boolean> delete(SqlClient client, ResourceDef def, long id) {
        return client.preparedQuery("DELETE FROM " + def.table() + " WHERE id = $1")
                .execute(Tuple.of(id))
                .recover(e -> Future.failedFuture(Conflicts.translate(def, e, Map.of())))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Ironic's wording for unique-constraint violations. */
    static final class Conflicts {
        private Conflicts() {}

        static Throwable translate(ResourceDef def, Throwable e, Map<String, Object> columns) {
            if (e instanceof PgException pg && "23502".equals(pg.getSqlState())) {
                return AnvilException.invalid("Invalid value for field '" + pg.getColumn() + "' of " + def.singular()
                        + ": it must not be null.");
            }
            if (e instanceof PgException pg
                    && "23503".equals(pg.getSqlState())
                    && "nodes_chassis_uuid_fkey".equals(pg.getConstraint())) {
                // a node naming a chassis that is not there (400, as Ironic's node API answers ChassisNotFound), or
                // a chassis deleted while a node still names it (Ironic's ChassisNotEmpty)
                return def.table().equals("chassis")
                        ? AnvilException.invalid("Cannot complete the requested action because chassis "
                                + columns.getOrDefault("uuid", "") + " contains nodes.")
                        : AnvilException.invalid("Chassis " + columns.get("chassis_uuid") + " could not be found.");
            }
            if (!(e instanceof PgException pg) || !"23505".equals(pg.getSqlState())) {
                return e;
            }
            String constraint = pg.getConstraint() == null ? "" : pg.getConstraint();
            Object name = columns.get("name");
            Object uuid = columns.get("uuid");
            Object address = columns.get("address");
            String msg;
            if (constraint.endsWith("_name_key")) {
                msg = article(def.singular()) + " " + def.singular() + " with name " + name + " already exists.";
            } else if (constraint.endsWith("_uuid_key") && !constraint.contains("instance")) {
                msg = article(def.singular()) + " " + def.singular() + " with UUID " + uuid + " already exists.";
            } else if (constraint.endsWith("_address_key")) {
                msg = article(def.singular()) + " " + def.singular() + " with MAC address " + address
                        + " already exists.";
            } else if (constraint.contains("instance_uuid")) {
                msg = "Instance " + columns.get("instance_uuid") + " is already associated with a node, it cannot be "
                        + "associated with this other node.";
            } else if (constraint.contains("type_connector_id")) {
                msg = "A volume connector with type " + columns.get("type") + " and connector ID "
                        + columns.get("connector_id") + " already exists.";
            } else if (constraint.contains("boot_index")) {
                msg = "A volume target with boot index '" + columns.get("boot_index")
                        + "' for the same node already exists.";
            } else {
                msg = article(def.singular()) + " " + def.singular()
                        + " with the same unique attributes already exists (" + constraint + ").";
            }
            return AnvilException.conflict(msg);
        }

        /** "An allocation", "A node": Ironic's messages read as English. */
        private static String article(String noun) {
            return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "An" : "A";
        }
    }
}
