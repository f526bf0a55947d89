package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;

import io.anvil.conductor.NodeUpdates;
import io.anvil.conductor.steps.StepType;
import io.anvil.conductor.steps.StepValidationException;
import io.anvil.conductor.steps.UserSteps;
import io.anvil.errors.AnvilException;
import io.anvil.events.Outbox;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.SchedulingResources;
import io.anvil.store.SqlValues;
import io.anvil.util.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/deploy_templates} (API 1.55): Ironic's DeployTemplatesController
 * (ironic/api/controllers/v1/deploy_template.py). A template is named like a trait and holds deploy steps; a deploy
 * whose {@code instance_info.traits} names it runs its steps (docs/steps.md#deploy-templates). Below 1.55 reads
 * are 404 and writes 405, as Ironic answers.
 */
final class DeployTemplateApi {
    private static final ResourceDef DEF = SchedulingResources.DEPLOY_TEMPLATE;
    private static final Set<String> KEYS = Set.of("extra", "name", "steps", "uuid");
    private static final Set<String> PATCHABLE = Set.of("extra", "name", "steps");
    private static final String VERSION_MESSAGE = "The API version does not allow deploy templates";

    private final ApiServices services;
    private final ResourceStore store;
    private final Outbox outbox;

    DeployTemplateApi(ApiServices services) {
        this.services = services;
        this.store = services.store();
        this.outbox = services.outbox();
    }

    void mount(Router r) {
        r.get("/v1/deploy_templates").handler(async(this::list));
        r.post("/v1/deploy_templates").handler(async(this::create));
        r.get("/v1/deploy_templates/:id").handler(async(this::show));
        r.patch("/v1/deploy_templates/:id").handler(async(this::patch));
        r.delete("/v1/deploy_templates/:id").handler(noContent(this::delete, 204));
    }

    private static void readable(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(55)) {
            throw AnvilException.notFound(VERSION_MESSAGE);
        }
    }

    private static void writable(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(55)) {
            throw new AnvilException(405, VERSION_MESSAGE);
        }
    }

    // ---- views ----

    private static List<String> allFields() {
        List<String> out = new ArrayList<>(DEF.fields().keySet());
        out.add("links");
        return out;
    }

    /** The template as Ironic shows it: step arguments with secrets masked (Ironic's step_sanitize). */
    private JsonObject view(RoutingContext ctx, JsonObject row, List<String> names) {
        String base = Links.base(ctx, services.config().api().publicUrl());
        List<String> copied = names.stream().filter(n -> !n.equals("links")).toList();
        JsonObject out = Views.project(row, copied, base, "deploy_templates/" + row.getString("uuid"));
        if (!names.contains("links")) {
            out.remove("links");
        }
        if (out.getValue("steps") instanceof JsonArray steps) {
            out.put("steps", maskedSteps(steps));
        }
        return out;
    }

    static JsonArray maskedSteps(JsonArray steps) {
        JsonArray masked = new JsonArray();
        for (Object o : steps) {
            JsonObject s = ((JsonObject) o).copy();
            if (s.getValue("args") instanceof JsonObject args) {
                s.put("args", Secrets.mask(args));
            }
            masked.add(s);
        }
        return masked;
    }

    // ---- reads ----

    Future<JsonObject> list(RoutingContext ctx) {
        readable(ctx);
        Requests.allowOnly(ctx, Set.of("limit", "marker", "sort_key", "sort_dir", "fields", "detail"));
        Boolean detail = Requests.boolQuery(ctx, "detail");
        Set<String> fields = Requests.fields(ctx);
        if (Boolean.TRUE.equals(detail) && fields != null) {
            throw AnvilException.invalid("Can not specify ?detail=True and fields in the same request.");
        }
        Views.checkFields(fields, allFields());
        String sortKey = Requests.query(ctx, "sort_key");
        if ("extra".equals(sortKey) || "steps".equals(sortKey)) {
            throw AnvilException.invalid("The sort_key value " + sortKey + " is an invalid field for sorting");
        }
        List<String> names = fields != null
                ? List.copyOf(fields)
                : Boolean.TRUE.equals(detail) ? allFields() : List.of("uuid", "name", "links");
        ListQuery q = new ListQuery();
        String base = Links.base(ctx, services.config().api().publicUrl());
        return Collections.page(ctx, store, DEF, q, services.config().api().maxLimit())
                .compose(limit -> store.list(DEF, q).map(rows -> {
                    List<JsonObject> items = new ArrayList<>();
                    rows.forEach(r -> items.add(view(ctx, r, names)));
                    return Views.collection(
                            "deploy_templates", items, limit, Collections.nextUrl(ctx, base, rows, limit));
                }));
    }

    Future<JsonObject> show(RoutingContext ctx) {
        readable(ctx);
        Requests.allowOnly(ctx, Set.of("fields"));
        Set<String> fields = Requests.fields(ctx);
        Views.checkFields(fields, allFields());
        return load(ctx.pathParam("id")).map(r -> view(ctx, r, fields == null ? allFields() : List.copyOf(fields)));
    }

    private Future<JsonObject> load(String ident) {
        if (SqlValues.uuidOrNull(ident) == null && !NodeUpdates.isLogicalName(ident)) {
            throw AnvilException.invalid("Expected UUID or name for template_ident: " + ident);
        }
        return store.find(DEF, ident)
                .compose(r -> r == null
                        ? Future.failedFuture(
                                AnvilException.notFound("Deploy template " + ident + " could not be found."))
                        : Future.succeededFuture(r));
    }

    // ---- writes ----

    Future<JsonObject> create(RoutingContext ctx) {
        writable(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        Map<String, Object> cols = validate(body);
        if (!cols.containsKey("uuid") || cols.get("uuid") == null) {
            cols.put("uuid", UUID.randomUUID());
        }
        return store.database()
                .inTransaction(tx -> store.insert(tx, DEF, cols)
                        .compose(row -> event(tx, "baremetal.deploy_template.create.end", row)
                                .map(row)))
                .map(row -> {
                    String base = Links.base(ctx, services.config().api().publicUrl());
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base + "/v1/deploy_templates/" + row.getString("uuid"));
                    return view(ctx, row, allFields());
                });
    }

    Future<JsonObject> patch(RoutingContext ctx) {
        writable(ctx);
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        for (JsonPatch.Op op : ops) {
            List<String> paths = op.from() == null
                    ? List.of(op.field())
                    : List.of(op.field(), JsonPatch.pointer(op.from()).get(0));
            for (String field : paths) {
                if (!PATCHABLE.contains(field)) {
                    throw AnvilException.invalid(
                            "Cannot update field '/" + field + "': only /extra, /name and" + " /steps can be changed.");
                }
            }
        }
        String ident = ctx.pathParam("id");
        return load(ident)
                .compose(found -> store.database()
                        .inTransaction(tx -> store.findForUpdate(tx, DEF, ident).compose(old -> {
                            if (old == null) {
                                return Future.failedFuture(
                                        AnvilException.notFound("Deploy template " + ident + " could not be found."));
                            }
                            JsonObject patched = JsonPatch.apply(old, ops);
                            JsonObject doc = new JsonObject();
                            for (String k : List.of("extra", "name", "steps", "uuid")) {
                                doc.put(k, patched.getValue(k));
                            }
                            Map<String, Object> cols = validate(doc);
                            cols.remove("uuid");
                            cols.entrySet()
                                    .removeIf(e -> java.util.Objects.equals(e.getValue(), old.getValue(e.getKey())));
                            return store.update(tx, DEF, old.getLong("id"), cols)
                                    .compose(row -> event(tx, "baremetal.deploy_template.update.end", row)
                                            .map(row));
                        })))
                .map(row -> view(ctx, row, allFields()));
    }

    Future<Void> delete(RoutingContext ctx) {
        writable(ctx);
        String ident = ctx.pathParam("id");
        return load(ident).compose(found -> store.database().inTransaction(tx -> store.findForUpdate(tx, DEF, ident)
                .compose(old -> old == null
                        ? Future.failedFuture(
                                AnvilException.notFound("Deploy template " + ident + " could not be found."))
                        : store.delete(tx, DEF, old.getLong("id"))
                                .compose(x -> event(tx, "baremetal.deploy_template.delete.end", old)))));
    }

    /** Ironic's DeployTemplateCRUDPayload, step arguments masked. */
    private Future<Void> event(SqlClient tx, String type, JsonObject row) {
        JsonObject payload = new JsonObject();
        for (String k : List.of("created_at", "extra", "name", "steps", "updated_at", "uuid")) {
            payload.put(k, row.getValue(k));
        }
        if (payload.getValue("extra") instanceof JsonObject o) {
            payload.put("extra", Secrets.mask(o));
        }
        payload.put("steps", maskedSteps(row.getJsonArray("steps", new JsonArray())));
        return outbox.write(tx, type, null, "info", payload);
    }

    /**
     * Ironic's TEMPLATE_SCHEMA and TEMPLATE_VALIDATOR: name a trait, steps a non-empty list of deploy steps (interface,
     * step, args, priority) with no interface/step pair twice, extra an object, uuid a UUID. Priorities are stored as
     * integers (Ironic's step table has an integer column).
     */
    static Map<String, Object> validate(JsonObject body) {
        for (String key : body.fieldNames()) {
            if (!KEYS.contains(key)) {
                throw AnvilException.invalid("Schema error for template: Additional properties are not allowed ('" + key
                        + "' was unexpected)");
            }
        }
        for (String key : List.of("steps", "name")) {
            if (!body.containsKey(key)) {
                throw AnvilException.invalid("Schema error for template: '" + key + "' is a required property");
            }
        }
        Object name = body.getValue("name");
        if (!TraitSyntax.isValid(name)) {
            throw AnvilException.invalid(TraitSyntax.invalidMessage("template", name));
        }
        Object extra = body.getValue("extra");
        if (extra != null && !(extra instanceof JsonObject)) {
            throw AnvilException.invalid("Schema error for template: " + extra + " is not of type 'object', 'null'");
        }
        Object uuid = body.getValue("uuid");
        if (uuid != null && (!(uuid instanceof String s) || SqlValues.uuidOrNull(s) == null)) {
            throw AnvilException.invalid("Expected a UUID for uuid but received " + uuid + ".");
        }
        Object steps = body.getValue("steps");
        if (steps instanceof JsonArray a && a.isEmpty()) {
            throw AnvilException.invalid("Schema error for template: [] is too short");
        }
        List<JsonObject> checked;
        try {
            checked = UserSteps.checkShape(StepType.DEPLOY, steps);
        } catch (StepValidationException e) {
            throw AnvilException.invalid(
                    e.getMessage().replaceFirst("^Invalid deploy_steps: ", "Schema error for template: "));
        }
        JsonArray stored = new JsonArray();
        Set<String> seen = new LinkedHashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (JsonObject s : checked) {
            String id = "interface: " + s.getString("interface") + ", step: " + s.getString("step");
            if (!seen.add(id)) {
                duplicates.add(id);
            }
            stored.add(new JsonObject()
                    .put("interface", s.getString("interface"))
                    .put("step", s.getString("step"))
                    .put("args", s.getJsonObject("args"))
                    .put("priority", priority(s.getValue("priority"))));
        }
        if (!duplicates.isEmpty()) {
            throw AnvilException.invalid("Deploy template invalid: Duplicate deploy steps. A template cannot have "
                    + "multiple deploy steps with the same interface and step. Duplicates: "
                    + String.join("; ", duplicates) + ".");
        }
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("uuid", uuid == null ? null : SqlValues.uuidOrNull((String) uuid));
        cols.put("name", name);
        cols.put("steps", stored);
        cols.put("extra", extra == null ? new JsonObject() : extra);
        return cols;
    }

    /** A checked priority (an integer or a string of digits) as the integer Ironic's step table stores. */
    private static int priority(Object p) {
        try {
            long value = p instanceof String ps ? Long.parseLong(ps) : ((Number) p).longValue();
            if (value <= Integer.MAX_VALUE) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // too many digits for a long: refused below like any other out-of-range priority
        }
        throw AnvilException.invalid("Schema error for template: priority " + p + " is out of range");
    }
}
