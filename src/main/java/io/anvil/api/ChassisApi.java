package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.encoded;
import static io.anvil.api.Handlers.noContent;

import io.anvil.errors.AnvilException;
import io.anvil.events.Outbox;
import io.anvil.store.FieldSpec;
import io.anvil.store.FieldType;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/chassis}: Ironic's chassis resource ({@code ironic/api/controllers/v1/chassis.py: ChassisController})
 * on the generic store ({@link Resources#CHASSIS}): list, detail, show, create, JSON-patch and delete, and the
 * chassis' nodes ({@code /v1/chassis/{uuid}/nodes[/detail]}, the node list scoped to it). A chassis is addressed
 * by UUID only. Every write records its notification ({@code baremetal.chassis.*.end}) in the same transaction.
 */
final class ChassisApi {
    private static final ResourceDef DEF = Resources.CHASSIS;
    /** Ironic's CHASSIS_SCHEMA properties: the only fields a patch may name. */
    private static final List<String> PATCH_ALLOWED = List.of("uuid", "extra", "description");
    /** Request key under which the chassis-scoped node list passes its chassis to {@link NodeApi#list}. */
    static final String SCOPE_KEY = "anvil.chassis";

    private final ApiServices services;
    private final ResourceStore store;
    private final NodeApi nodes;

    ChassisApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.store = services.store();
        this.nodes = nodes;
    }

    void mount(Router r) {
        r.get("/v1/chassis").handler(async(ctx -> list(ctx, false)));
        r.get("/v1/chassis/detail").handler(async(ctx -> list(ctx, true)));
        r.post("/v1/chassis").handler(async(this::create));
        // Ironic routes /v1/chassis/nodes to the nodes controller with no chassis: 400, not "chassis nodes not found"
        r.route("/v1/chassis/nodes").handler(ctx -> {
            throw AnvilException.invalid("Chassis id not specified.");
        });
        r.get("/v1/chassis/:id").handler(async(this::show));
        r.patch("/v1/chassis/:id").handler(async(this::patch));
        r.delete("/v1/chassis/:id").handler(noContent(this::delete, 204));
        r.get("/v1/chassis/:id/detail").handler(ctx -> {
            throw AnvilException.notFound("The resource could not be found.");
        });
        r.get("/v1/chassis/:id/nodes").handler(encoded(ctx -> nodesOf(ctx, false)));
        r.get("/v1/chassis/:id/nodes/detail").handler(encoded(ctx -> nodesOf(ctx, true)));
        // the chassis' nodes are a read-only view: Ironic's NodesController with from_chassis refuses the rest
        r.post("/v1/chassis/:id/nodes").handler(malformed());
        r.route("/v1/chassis/:id/nodes/:node").handler(malformed());
        r.patch("/v1/chassis/:id/nodes").handler(malformed());
        r.delete("/v1/chassis/:id/nodes").handler(malformed());
    }

    private static io.vertx.core.Handler<RoutingContext> malformed() {
        return ctx -> {
            throw AnvilException.invalid("Malformed request URI.");
        };
    }

    // ---- reads ----

    Future<JsonObject> list(RoutingContext ctx, boolean detailPath) {
        Requests.allowOnly(
                ctx, detailPath ? Set.of("limit", "marker", "sort_key", "sort_dir") : Set.copyOf(Collections.PAGING));
        ApiVersion v = Requests.version(ctx);
        Boolean detailParam = Requests.boolQuery(ctx, "detail");
        if (detailParam != null && !v.atLeast(43)) {
            throw AnvilException.invalid(
                    "Invalid query parameter ?detail=" + Requests.query(ctx, "detail") + " received.");
        }
        boolean detail = detailPath || Boolean.TRUE.equals(detailParam);
        Set<String> fields = Requests.fields(ctx);
        if (Boolean.TRUE.equals(detailParam) && fields != null) {
            throw AnvilException.invalid("Can not specify ?detail=True and fields in the same request.");
        }
        List<String> visible = Views.visibleFields(DEF, v, List.of());
        Views.checkFields(fields, visible);
        List<String> names = fields != null ? List.copyOf(fields) : detail ? visible : DEF.defaultListFields();
        boolean nodesLink = fields == null ? detail : fields.contains("nodes");
        String base = base(ctx);
        ListQuery q = new ListQuery();
        return Collections.page(ctx, store, DEF, q, services.config().api().maxLimit())
                .compose(limit -> store.list(DEF, q).map(rows -> {
                    List<JsonObject> items = new ArrayList<>(rows.size());
                    rows.forEach(row -> items.add(render(row, names, base, nodesLink)));
                    return Views.collection("chassis", items, limit, Collections.nextUrl(ctx, base, rows, limit));
                }));
    }

    Future<JsonObject> show(RoutingContext ctx) {
        Requests.allowOnly(ctx, Set.of("fields"));
        ApiVersion v = Requests.version(ctx);
        Set<String> fields = Requests.fields(ctx);
        List<String> visible = Views.visibleFields(DEF, v, List.of());
        List<String> withNodes = new ArrayList<>(visible);
        withNodes.add("nodes");
        Views.checkFields(fields, withNodes);
        String base = base(ctx);
        return load(ctx.pathParam("id"))
                .map(row -> render(
                        row,
                        fields != null
                                ? fields.stream()
                                        .filter(f -> !f.equals("nodes"))
                                        .toList()
                                : visible,
                        base,
                        fields == null || fields.contains("nodes")));
    }

    /** GET /v1/chassis/{uuid}/nodes[/detail]: the node list (all its parameters) of one existing chassis. */
    private Future<io.vertx.core.buffer.Buffer> nodesOf(RoutingContext ctx, boolean detail) {
        return load(ctx.pathParam("id")).compose(row -> {
            ctx.put(SCOPE_KEY, row.getString("uuid"));
            return nodes.list(ctx, detail);
        });
    }

    /** The chassis by UUID: 400 for a malformed UUID (Ironic's args.uuid), 404 when there is none. */
    Future<JsonObject> load(String ident) {
        UUID uuid = SqlValues.uuidOrNull(ident);
        if (uuid == null) {
            return Future.failedFuture(AnvilException.invalid("Expected a UUID but received " + ident + "."));
        }
        return store.find(DEF, uuid.toString())
                .compose(row -> row == null ? Future.failedFuture(notFound(ident)) : Future.succeededFuture(row));
    }

    static AnvilException notFound(String ident) {
        return AnvilException.notFound("Chassis " + ident + " could not be found.");
    }

    private static JsonObject render(JsonObject row, List<String> names, String base, boolean nodesLink) {
        String uuid = row.getString("uuid");
        JsonObject out = Views.project(row, names, base, "chassis/" + uuid);
        if (nodesLink) {
            out.put("nodes", Links.of(base, "chassis/" + uuid + "/nodes"));
        }
        return out;
    }

    // ---- writes ----

    Future<JsonObject> create(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        List<String> unknown = new ArrayList<>();
        Map<String, Object> cols = new LinkedHashMap<>();
        for (String key : body.fieldNames()) {
            FieldSpec f = DEF.field(key);
            if (f == null || !f.creatable()) {
                unknown.add(key);
                continue;
            }
            Object value = body.getValue(key);
            if (value == null && f.type() == FieldType.OBJECT) {
                value = new JsonObject();
            }
            cols.put(key, SqlValues.toSql("chassis", f, value));
        }
        if (!unknown.isEmpty()) {
            throw AnvilException.invalid(
                    "Unknown or read-only attribute(s) for chassis: " + String.join(", ", unknown) + ".");
        }
        if (cols.get("uuid") == null) {
            cols.put("uuid", UUID.randomUUID());
        }
        String base = base(ctx);
        return store.database()
                .inTransaction(tx ->
                        store.insert(tx, DEF, cols).compose(row -> notify(tx, "baremetal.chassis.create.end", row)))
                .map(row -> {
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base + "/v1/chassis/" + row.getString("uuid"));
                    return render(row, Views.visibleFields(DEF, v, List.of()), base, true);
                });
    }

    Future<JsonObject> patch(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        Set<String> touched = new HashSet<>();
        for (JsonPatch.Op op : ops) {
            for (String field : op.from() == null
                    ? List.of(op.field())
                    : List.of(op.field(), JsonPatch.pointer(op.from()).get(0))) {
                if (!PATCH_ALLOWED.contains(field)) {
                    throw AnvilException.invalid("Cannot patch " + op.path() + ". Only the following can be updated: "
                            + String.join(", ", PATCH_ALLOWED));
                }
                if (field.equals("uuid")) {
                    throw AnvilException.invalid("'/uuid' is an internal attribute and can not be updated");
                }
                touched.add(field);
            }
        }
        String ident = ctx.pathParam("id");
        String base = base(ctx);
        return load(ident)
                .compose(found -> store.database()
                        .inTransaction(tx -> store.findForUpdate(tx, DEF, found.getString("uuid"))
                                .compose(old -> {
                                    if (old == null) {
                                        return Future.failedFuture(notFound(ident));
                                    }
                                    JsonObject patched = JsonPatch.apply(old, ops);
                                    Map<String, Object> cols = new LinkedHashMap<>();
                                    for (String f : touched) {
                                        FieldSpec spec = DEF.field(f);
                                        Object value = patched.getValue(f);
                                        if (value == null && spec.type() == FieldType.OBJECT) {
                                            value = new JsonObject();
                                        }
                                        if (!Objects.equals(old.getValue(f), value)) {
                                            cols.put(f, SqlValues.toSql("chassis", spec, value));
                                        }
                                    }
                                    if (cols.isEmpty()) {
                                        return Future.succeededFuture(old);
                                    }
                                    return store.update(tx, DEF, old.getLong("id"), cols)
                                            .compose(row -> notify(tx, "baremetal.chassis.update.end", row));
                                })))
                .map(row -> render(row, Views.visibleFields(DEF, v, List.of()), base, true));
    }

    Future<Void> delete(RoutingContext ctx) {
        String ident = ctx.pathParam("id");
        return load(ident).compose(found -> store.database()
                .inTransaction(tx -> store.findForUpdate(tx, DEF, found.getString("uuid"))
                        .compose(old -> {
                            if (old == null) {
                                return Future.failedFuture(notFound(ident));
                            }
                            // the foreign key from nodes also refuses it (a node added meanwhile): same answer, see
                            // ResourceStore's translation
                            return tx.preparedQuery("SELECT count(*) FROM nodes WHERE chassis_uuid = $1")
                                    .execute(Tuple.of(UUID.fromString(old.getString("uuid"))))
                                    .compose(rs -> rs.iterator().next().getLong(0) > 0
                                            ? Future.failedFuture(notEmpty(old.getString("uuid")))
                                            : store.delete(tx, DEF, old.getLong("id")))
                                    .compose(x -> notify(tx, "baremetal.chassis.delete.end", old))
                                    .<Void>mapEmpty();
                        })));
    }

    /** Ironic's ChassisNotEmpty (an Invalid: 400). */
    static AnvilException notEmpty(String uuid) {
        return AnvilException.invalid(
                "Cannot complete the requested action because chassis " + uuid + " contains nodes.");
    }

    /** Ironic's ChassisPayload as an info notification, written by {@code tx}. */
    private Future<JsonObject> notify(SqlClient tx, String eventType, JsonObject row) {
        JsonObject payload = new JsonObject()
                .put("uuid", row.getString("uuid"))
                .put("description", row.getValue("description"))
                .put("extra", row.getValue("extra"))
                .put("created_at", row.getValue("created_at"))
                .put("updated_at", row.getValue("updated_at"));
        Outbox outbox = services.outbox();
        return outbox.write(tx, eventType, null, "info", payload).map(row);
    }

    private String base(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }
}
