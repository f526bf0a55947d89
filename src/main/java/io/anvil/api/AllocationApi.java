package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;

import io.anvil.auth.Caller;
import io.anvil.auth.Visibility;
import io.anvil.conductor.Allocations;
import io.anvil.conductor.NodeUpdates;
import io.anvil.errors.AnvilException;
import io.anvil.store.FieldSpec;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.SchedulingResources;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/allocations} and {@code /v1/nodes/{node}/allocation}: the HTTP side of Ironic's allocations
 * (ironic/api/controllers/v1/allocation.py). From 1.52; PATCH of name and extra from 1.57; backfilling with
 * {@code node} from 1.58; {@code owner} from 1.60. Below 1.52 reads are 404 and writes 405, as Ironic answers. The
 * choosing of a node is the conductor's ({@link Allocations}).
 */
final class AllocationApi {
    private static final ResourceDef DEF = SchedulingResources.ALLOCATION;
    private static final Set<String> CREATE_KEYS =
            Set.of("candidate_nodes", "extra", "name", "node", "owner", "resource_class", "traits", "uuid");
    private static final Set<String> LIST_PARAMS =
            Set.of("node", "resource_class", "state", "owner", "limit", "marker", "sort_key", "sort_dir", "fields");
    private static final Set<String> UNSORTABLE = Set.of("extra", "candidate_nodes", "traits");

    private final ApiServices services;
    private final ResourceStore store;
    private final Allocations allocations;

    AllocationApi(ApiServices services) {
        this.services = services;
        this.store = services.store();
        this.allocations = services.conductor().allocations();
    }

    void mount(Router r) {
        r.get("/v1/allocations").handler(async(this::list));
        r.post("/v1/allocations").handler(async(this::create));
        r.get("/v1/allocations/:id").handler(async(this::show));
        r.patch("/v1/allocations/:id").handler(async(this::patch));
        r.delete("/v1/allocations/:id").handler(noContent(this::delete, 204));
        r.get("/v1/nodes/:node/allocation").handler(async(this::showForNode));
        r.delete("/v1/nodes/:node/allocation").handler(noContent(this::deleteForNode, 204));
        r.route("/v1/nodes/:node/allocation").handler(ctx -> {
            readable(ctx);
            ctx.fail(new AnvilException(405, "The method is not allowed for this resource."));
        });
        r.route("/v1/nodes/:node/allocation/*").handler(ctx -> {
            readable(ctx);
            ctx.fail(new AnvilException(405, "The method is not allowed for this resource."));
        });
    }

    // ---- version gates (Ironic: reads 404, writes 405 below the version) ----

    private static void readable(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(52)) {
            throw AnvilException.notFound("The API version does not allow allocations");
        }
    }

    private static void writable(RoutingContext ctx, int minor, String message) {
        if (!Requests.version(ctx).atLeast(minor)) {
            throw new AnvilException(405, message);
        }
    }

    /** Ironic's _check_allowed_allocation_fields: owner needs 1.60 (406). */
    private static Set<String> fields(RoutingContext ctx) {
        Set<String> fields = Requests.fields(ctx);
        if (fields != null && fields.contains("owner") && !Requests.version(ctx).atLeast(60)) {
            throw AnvilException.notAcceptable("The 'owner' field needs API version 1.60 or later.");
        }
        List<String> visible = new ArrayList<>(Views.visibleFields(DEF, Requests.version(ctx), List.of()));
        visible.add("links");
        Views.checkFields(fields, visible);
        return fields;
    }

    private JsonObject view(RoutingContext ctx, JsonObject row, Set<String> fields) {
        String base = Links.base(ctx, services.config().api().publicUrl());
        List<String> names = fields != null
                ? fields.stream().filter(f -> !f.equals("links")).toList()
                : Views.visibleFields(DEF, Requests.version(ctx), List.of());
        JsonObject out = Views.project(row, names, base, "allocations/" + row.getString("uuid"));
        if (fields != null && !fields.contains("links")) {
            out.remove("links");
        }
        return out;
    }

    // ---- reads ----

    Future<JsonObject> list(RoutingContext ctx) {
        readable(ctx);
        Requests.allowOnly(ctx, LIST_PARAMS);
        Set<String> fields = fields(ctx);
        String owner = Requests.query(ctx, "owner");
        if (owner != null && !Requests.version(ctx).atLeast(60)) {
            throw AnvilException.notAcceptable("The 'owner' filter needs API version 1.60 or later.");
        }
        String sortKey = Requests.query(ctx, "sort_key");
        if (sortKey != null && UNSORTABLE.contains(sortKey)) {
            throw AnvilException.invalid("The sort_key value " + sortKey + " is an invalid field for sorting");
        }
        ListQuery q = new ListQuery();
        Visibility.allocations(ctx, q);
        for (String column : List.of("resource_class", "state", "owner")) {
            String value = Requests.query(ctx, column);
            if (value != null) {
                q.where("t." + column + " = " + q.param(value));
            }
        }
        String node = Requests.query(ctx, "node");
        Future<Void> scoped = node == null
                ? Future.succeededFuture()
                : nodeForFilter(node).map(id -> {
                    q.where("t.node_id = " + q.param(id));
                    return null;
                });
        String base = Links.base(ctx, services.config().api().publicUrl());
        return scoped.compose(x -> Collections.page(
                        ctx, store, DEF, q, services.config().api().maxLimit()))
                .compose(limit -> store.list(DEF, q).map(rows -> {
                    List<JsonObject> items = new ArrayList<>();
                    rows.forEach(r -> items.add(view(ctx, r, fields)));
                    return Views.collection("allocations", items, limit, Collections.nextUrl(ctx, base, rows, limit));
                }));
    }

    /** The node a list is filtered by; a node that does not exist is 400, as Ironic's filter answers. */
    private Future<Long> nodeForFilter(String ident) {
        NodeApi.checkIdent(ident, ApiVersion.MAX);
        return store.find(Resources.NODE, ident)
                .compose(n -> n == null
                        ? Future.failedFuture(AnvilException.invalid("Node " + ident + " could not be found."))
                        : Future.succeededFuture(n.getLong("id")));
    }

    Future<JsonObject> show(RoutingContext ctx) {
        readable(ctx);
        Requests.allowOnly(ctx, Set.of("fields"));
        Set<String> fields = fields(ctx);
        return load(ctx.pathParam("id")).map(row -> view(ctx, row, fields));
    }

    Future<JsonObject> showForNode(RoutingContext ctx) {
        readable(ctx);
        Requests.allowOnly(ctx, Set.of("fields"));
        Set<String> fields = fields(ctx);
        String ident = ctx.pathParam("node");
        return nodeForFilter(ident)
                .compose(id -> store.database()
                        .reads()
                        .preparedQuery("SELECT uuid FROM allocations WHERE node_id = $1")
                        .execute(Tuple.of(id)))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(
                                AnvilException.notFound("Allocation for node " + ident + " was not found"))
                        : load(rows.iterator().next().getUUID(0).toString()))
                .map(row -> view(ctx, row, fields));
    }

    private Future<JsonObject> load(String ident) {
        if (SqlValues.uuidOrNull(ident) == null && !NodeUpdates.isLogicalName(ident)) {
            throw AnvilException.invalid("Expected a logical name or UUID but received " + ident + ".");
        }
        return store.find(DEF, ident)
                .compose(r -> r == null
                        ? Future.failedFuture(AnvilException.notFound("Allocation " + ident + " could not be found."))
                        : Future.succeededFuture(r));
    }

    // ---- create ----

    Future<JsonObject> create(RoutingContext ctx) {
        writable(ctx, 52, "The API version does not allow allocations");
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        for (String key : body.fieldNames()) {
            if (!CREATE_KEYS.contains(key) || (key.equals("node") && !v.atLeast(58))) {
                if (key.equals("node")) {
                    throw AnvilException.invalid("Cannot set node when creating an allocation in this API version");
                }
                throw AnvilException.invalid("Schema error for allocation: Additional properties are not allowed ('"
                        + key + "' was unexpected)");
            }
        }
        for (String key : List.of("name", "node", "owner", "resource_class", "uuid")) {
            Object value = body.getValue(key);
            if (value != null && !(value instanceof String)) {
                throw AnvilException.invalid(
                        "Schema error for allocation: " + value + " is not of type 'string', 'null'");
            }
        }
        if (body.getValue("extra") != null && !(body.getValue("extra") instanceof JsonObject)) {
            throw AnvilException.invalid(
                    "Schema error for allocation: " + body.getValue("extra") + " is not of type 'object', 'null'");
        }
        String rc = body.getString("resource_class");
        if (rc != null && rc.length() > 80) {
            throw AnvilException.invalid("Schema error for allocation: '" + rc + "' is too long");
        }
        JsonArray traits = stringList(body, "traits");
        for (Object t : traits) {
            if (!TraitSyntax.isValid(t)) {
                throw AnvilException.invalid(TraitSyntax.invalidMessage("allocation", t));
            }
        }
        JsonArray candidates = stringList(body, "candidate_nodes");
        String name = body.getString("name");
        if (name != null && !NodeUpdates.isLogicalName(name)) {
            throw AnvilException.invalid("Cannot create allocation with invalid name '" + name + "'");
        }
        String uuid = body.getString("uuid");
        if (uuid != null && SqlValues.uuidOrNull(uuid) == null) {
            throw AnvilException.invalid("Expected a UUID for uuid but received " + uuid + ".");
        }
        // a project member's allocation is its project's, and takes only nodes the project owns or leases (Ironic's
        // allocation API without baremetal:allocation:create_restricted; docs/security.md#roles)
        String project = Caller.of(ctx).allocationProject();
        String owner = body.getString("owner");
        if (project != null && owner != null && !owner.equals(project)) {
            throw new AnvilException(
                    403,
                    "Cannot create allocation with an owner Project ID value " + owner + " not matching the requester"
                            + " Project ID " + project + ". Policy baremetal:allocation:create_restricted is required"
                            + " for this capability.");
        }
        String allocationOwner = project != null ? project : owner;
        String nodeIdent = body.getString("node");
        Future<JsonObject> node = nodeIdent == null
                ? Future.succeededFuture(null)
                : store.find(Resources.NODE, nodeIdent)
                        .compose(n -> n == null || !mayTake(project, n)
                                ? Future.failedFuture(
                                        AnvilException.invalid("Node " + nodeIdent + " could not be found."))
                                : Future.succeededFuture(n));
        return node.compose(n -> {
                    String resourceClass = rc;
                    if (resourceClass == null || resourceClass.isEmpty()) {
                        if (n == null) {
                            throw AnvilException.invalid("The resource_class field is mandatory when not backfilling");
                        }
                        resourceClass = n.getString("resource_class");
                    }
                    String id = uuid != null
                            ? SqlValues.uuidOrNull(uuid).toString()
                            : n != null && n.getString("instance_uuid") != null
                                    ? n.getString("instance_uuid")
                                    : UUID.randomUUID().toString();
                    String finalRc = resourceClass;
                    return candidateUuids(candidates, project).compose(resolved -> {
                        Map<String, Object> cols = new LinkedHashMap<>();
                        cols.put("uuid", UUID.fromString(id));
                        cols.put("name", name);
                        cols.put("resource_class", finalRc);
                        cols.put("traits", traits);
                        cols.put("candidate_nodes", resolved);
                        cols.put("extra", body.getJsonObject("extra", new JsonObject()));
                        cols.put("owner", allocationOwner);
                        cols.put(
                                "conductor_affinity",
                                services.conductors().conductorId() < 0
                                        ? null
                                        : services.conductors().conductorId());
                        return allocations.create(cols, n == null ? null : n.getString("uuid"));
                    });
                })
                .map(row -> {
                    String base = Links.base(ctx, services.config().api().publicUrl());
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base + "/v1/allocations/" + row.getString("uuid"));
                    return view(ctx, row, null);
                });
    }

    private static JsonArray stringList(JsonObject body, String key) {
        Object value = body.getValue(key);
        if (value == null) {
            return new JsonArray();
        }
        if (!(value instanceof JsonArray list)) {
            throw AnvilException.invalid("Schema error for allocation: " + value + " is not of type 'array', 'null'");
        }
        for (Object item : list) {
            if (!(item instanceof String)) {
                throw AnvilException.invalid("Schema error for allocation: " + item + " is not of type 'string'");
            }
        }
        return list;
    }

    /** A project-scoped creator may name only nodes its project owns or leases (others are concealed: 400). */
    private static boolean mayTake(String project, JsonObject node) {
        return project == null || project.equals(node.getString("owner")) || project.equals(node.getString("lessee"));
    }

    /**
     * Ironic's check_node_list: names and UUIDs to UUIDs, in the order given; 400 naming every missing one. With a
     * {@code project}, nodes it neither owns nor leases count as missing (Ironic's {@code project} filter).
     */
    private Future<JsonArray> candidateUuids(JsonArray idents, String project) {
        if (idents.isEmpty()) {
            return Future.succeededFuture(new JsonArray());
        }
        Set<String> wanted = new LinkedHashSet<>();
        idents.forEach(i -> wanted.add((String) i));
        List<UUID> uuids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> impossible = new LinkedHashSet<>();
        for (String i : wanted) {
            UUID u = SqlValues.uuidOrNull(i);
            if (u != null) {
                uuids.add(u);
            } else if (NodeUpdates.isLogicalName(i)) {
                names.add(i);
            } else {
                impossible.add(i);
            }
        }
        if (!impossible.isEmpty()) {
            return Future.failedFuture(
                    AnvilException.invalid("Nodes cannot be found: " + String.join(", ", impossible)));
        }
        return store.database()
                .reads()
                .preparedQuery("SELECT uuid, name FROM nodes WHERE (uuid = ANY($1) OR name = ANY($2))"
                        + " AND ($3::text IS NULL OR owner = $3 OR lessee = $3)")
                .execute(Tuple.tuple()
                        .addValue(uuids.toArray(new UUID[0]))
                        .addValue(names.toArray(new String[0]))
                        .addValue(project))
                .compose(rows -> {
                    Map<String, String> mapping = new HashMap<>();
                    rows.forEach(r -> {
                        String u = r.getUUID(0).toString();
                        for (String i : wanted) {
                            if (u.equals(
                                            SqlValues.uuidOrNull(i) == null
                                                    ? null
                                                    : SqlValues.uuidOrNull(i).toString())
                                    || i.equals(r.getString(1))) {
                                mapping.put(i, u);
                            }
                        }
                    });
                    Set<String> missing = new LinkedHashSet<>(wanted);
                    missing.removeAll(mapping.keySet());
                    if (!missing.isEmpty()) {
                        return Future.failedFuture(
                                AnvilException.invalid("Nodes cannot be found: " + String.join(", ", missing)));
                    }
                    JsonArray out = new JsonArray();
                    idents.forEach(i -> out.add(mapping.get((String) i)));
                    return Future.succeededFuture(out);
                });
    }

    // ---- update (1.57: name and extra only) ----

    Future<JsonObject> patch(RoutingContext ctx) {
        writable(ctx, 57, "The API version does not allow updating allocations");
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        Set<String> touched = new HashSet<>();
        for (JsonPatch.Op op : ops) {
            List<String> paths = op.from() == null
                    ? List.of(op.field())
                    : List.of(op.field(), JsonPatch.pointer(op.from()).get(0));
            for (String field : paths) {
                if (!field.equals("name") && !field.equals("extra")) {
                    throw AnvilException.invalid(
                            "Cannot update field '/" + field + "': only /name and /extra can" + " be changed.");
                }
                touched.add(field);
            }
            if (op.field().equals("name")
                    && op.value() instanceof String n
                    && !n.isEmpty()
                    && !NodeUpdates.isLogicalName(n)) {
                throw AnvilException.invalid("Cannot update allocation with invalid name '" + n + "'");
            }
        }
        return load(ctx.pathParam("id"))
                .compose(old -> {
                    JsonObject patched = JsonPatch.apply(old, ops);
                    Map<String, Object> cols = new LinkedHashMap<>();
                    for (String f : touched) {
                        FieldSpec spec = DEF.field(f);
                        Object value = patched.getValue(f);
                        if (f.equals("extra") && value == null) {
                            value = new JsonObject();
                        }
                        if (f.equals("name") && value != null && !(value instanceof String)) {
                            throw AnvilException.invalid(
                                    "Schema error for allocation: " + value + " is not of type 'string', 'null'");
                        }
                        if (f.equals("name")
                                && value instanceof String s
                                && !s.isEmpty()
                                && !NodeUpdates.isLogicalName(s)) {
                            throw AnvilException.invalid("Cannot update allocation with invalid name '" + s + "'");
                        }
                        if (!java.util.Objects.equals(old.getValue(f), value)) {
                            cols.put(f, SqlValues.toSql("allocation", spec, value));
                        }
                    }
                    return allocations.update(old, cols);
                })
                .map(row -> view(ctx, row, null));
    }

    // ---- delete ----

    Future<Void> delete(RoutingContext ctx) {
        writable(ctx, 52, "The API version does not allow allocations");
        return load(ctx.pathParam("id")).compose(allocations::destroy);
    }

    Future<Void> deleteForNode(RoutingContext ctx) {
        readable(ctx);
        String ident = ctx.pathParam("node");
        return store.find(Resources.NODE, ident)
                .compose(n -> n == null
                        ? Future.failedFuture(NodeApi.notFound(ident))
                        : store.database()
                                .reads()
                                .preparedQuery("SELECT uuid FROM allocations WHERE node_id = $1")
                                .execute(Tuple.of(n.getLong("id"))))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(
                                AnvilException.notFound("Allocation for node " + ident + " was not found"))
                        : load(rows.iterator().next().getUUID(0).toString()))
                .compose(allocations::destroy);
    }
}
