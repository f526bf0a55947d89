package io.anvil.api;

import io.anvil.auth.Visibility;
import io.anvil.conductor.Allocations;
import io.anvil.conductor.NodeUpdates;
import io.anvil.conductor.TaskManager;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.secrets.SecretBox;
import io.anvil.store.FieldSpec;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/nodes}: the HTTP side of Ironic's node resource ({@code ironic/api/controllers/v1/node.py:
 * NodesController}): parameters, microversions, paging and status codes. The node-update rules are
 * {@link NodeUpdates}'; the rendering and its cache {@link NodeViews}'; writes go through the conductor's tasks.
 */
final class NodeApi {
    private static final ResourceDef DEF = Resources.NODE;

    private static final Set<String> LIST_PARAMS = Set.of(
            "associated",
            "maintenance",
            "retired",
            "provision_state",
            "driver",
            "resource_class",
            "conductor_group",
            "conductor",
            "fault",
            "owner",
            "lessee",
            "project",
            "description_contains",
            "instance_uuid",
            "chassis_uuid",
            "limit",
            "marker",
            "sort_key",
            "sort_dir",
            "fields",
            "detail");
    /** Node list filters newer than 1.1 and the microversion that brought each (Ironic's check_allow_filter_*). */
    private static final Map<String, Integer> FILTER_MIN_VERSION = Map.of(
            "provision_state",
            9,
            "driver",
            16,
            "resource_class",
            21,
            "fault",
            42,
            "conductor_group",
            46,
            "conductor",
            49,
            "owner",
            50,
            "description_contains",
            51,
            "retired",
            61,
            "lessee",
            65);
    /** Ironic's PATCH_ALLOWED_FIELDS (ironic/api/controllers/v1/node.py), in its order (the 400 lists them). */
    private static final List<String> PATCH_ALLOWED_FIELDS = List.of(
            "automated_clean",
            "bios_interface",
            "boot_interface",
            "chassis_uuid",
            "conductor_group",
            "console_interface",
            "deploy_interface",
            "description",
            "disable_power_off",
            "driver",
            "driver_info",
            "extra",
            "inspect_interface",
            "instance_info",
            "instance_name",
            "instance_uuid",
            "lessee",
            "maintenance",
            "management_interface",
            "name",
            "network_data",
            "network_interface",
            "owner",
            "power_interface",
            "properties",
            "protected",
            "protected_reason",
            "raid_interface",
            "rescue_interface",
            "resource_class",
            "retired",
            "retired_reason",
            "shard",
            "storage_interface",
            "vendor_interface",
            "parent_node",
            "firmware_interface");
    /** Ironic's UPDATE_ALLOWED_STATES (ironic/common/states.py): transitional states a node may be updated in. */
    private static final Set<ProvisionState> UPDATE_ALLOWED_STATES = java.util.EnumSet.of(
            ProvisionState.DEPLOYFAIL,
            ProvisionState.INSPECTING,
            ProvisionState.INSPECTFAIL,
            ProvisionState.INSPECTWAIT,
            ProvisionState.CLEANFAIL,
            ProvisionState.ERROR,
            ProvisionState.VERIFYING,
            ProvisionState.ADOPTFAIL,
            ProvisionState.RESCUEFAIL,
            ProvisionState.UNRESCUEFAIL,
            ProvisionState.SERVICEHOLD,
            ProvisionState.SERVICEFAIL);
    /** Ironic's faults.VALID_FAULTS. */
    private static final List<String> VALID_FAULTS =
            List.of("power failure", "clean failure", "rescue abort failure", "service failure");

    private final ApiServices services;
    private final ResourceStore store;
    private final NodeViews views;
    private final NodeUpdates updates;

    NodeApi(ApiServices services, ConductorCache conductors) {
        this.services = services;
        this.store = services.store();
        this.views = new NodeViews(conductors, services.config().renderedCacheEntries());
        this.updates = new NodeUpdates(
                services.hardwareTypes(), (uuid, driver, group) -> conductors.ownerOf(uuid, driver, group) != null);
    }

    // ---- reads ----

    Future<Buffer> list(RoutingContext ctx, boolean detailPath) {
        Requests.allowOnly(ctx, LIST_PARAMS);
        ApiVersion v = Requests.version(ctx);
        Boolean detailParam = Requests.boolQuery(ctx, "detail");
        boolean detail = detailPath || Boolean.TRUE.equals(detailParam);
        Set<String> fields = Requests.fields(ctx);
        if (detailPath && detailParam != null) {
            throw AnvilException.invalid("The 'detail' parameter cannot be used on /nodes/detail.");
        }
        if (detail && fields != null) {
            throw AnvilException.invalid("Can not specify ?detail=True and fields in the same request.");
        }
        List<String> visible = views.visible(v);
        Views.checkFields(fields, visible);
        List<String> names = fields != null
                ? List.copyOf(fields)
                : detail
                        ? visible
                        : DEF.defaultListFields().stream()
                                .filter(visible::contains)
                                .toList();
        checkFilters(ctx, v);
        ListQuery q = filters(ctx);
        if (!detail) {
            List<String> cols = new ArrayList<>();
            for (String n : names) {
                if (DEF.field(n) != null) {
                    cols.add(n);
                }
            }
            cols.addAll(List.of("driver", "conductor_group"));
            q.columns(cols);
        } else {
            // versions first: full rows are read only for nodes whose cached rendering is stale
            q.columns(List.of("driver", "conductor_group"));
        }
        String base = base(ctx);
        String conductorFilter = Requests.query(ctx, "conductor");
        return chassisExists(ctx)
                .compose(x -> Collections.page(
                        ctx, store, DEF, q, services.config().api().maxLimit()))
                .compose(limit -> collect(q, conductorFilter, limit, new ArrayList<>())
                        .compose(rows -> {
                            String next = Collections.nextUrl(ctx, base, rows, limit);
                            if (detail) {
                                return detailPage(rows, v, base, next);
                            }
                            List<JsonObject> items = new ArrayList<>(rows.size());
                            for (JsonObject row : rows) {
                                items.add(views.render(row, names, base, false, v));
                            }
                            return Future.succeededFuture(Views.collection("nodes", items, limit, next)
                                    .toBuffer());
                        }));
    }

    /**
     * A detail page assembled from each node's full rendering — the same bytes GET /v1/nodes/{uuid} serves. The page
     * query read only ids and row versions; full rows are fetched (in one query) only for nodes whose cached
     * rendering is missing or older than that version.
     */
    private Future<Buffer> detailPage(List<JsonObject> rows, ApiVersion v, String base, String next) {
        Buffer[] parts = new Buffer[rows.size()];
        List<Long> missing = new ArrayList<>();
        Map<Long, Integer> position = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.get(i);
            Buffer cached = views.cached(row.getString("uuid"), v, base, row.getLong("row_version"));
            if (cached != null) {
                parts[i] = cached;
            } else {
                missing.add(row.getLong("id"));
                position.put(row.getLong("id"), i);
            }
        }
        Future<Void> filled = missing.isEmpty()
                ? Future.succeededFuture()
                : store.findByIds(DEF, missing).map(full -> {
                    for (JsonObject row : full) {
                        views.addComputed(row);
                        parts[position.get(row.getLong("id"))] =
                                views.fullRendering(row.getString("uuid"), row, v, base);
                    }
                    return null;
                });
        return filled.map(x -> NodeViews.detailPage(parts, next));
    }

    /**
     * Reads pages until {@code limit} nodes pass the conductor filter (computed from the hash ring, not a column)
     * or the table is exhausted, so a filtered page is still full and its {@code next} link still appears.
     */
    private Future<List<JsonObject>> collect(ListQuery q, String conductor, int limit, List<JsonObject> out) {
        return store.list(DEF, q).compose(rows -> {
            for (JsonObject row : rows) {
                views.addComputed(row);
                if (conductor == null || conductor.equals(row.getString("conductor"))) {
                    out.add(row);
                    if (out.size() == limit) {
                        return Future.succeededFuture(out);
                    }
                }
            }
            if (conductor == null || rows.size() < q.limit()) {
                return Future.succeededFuture(out);
            }
            String last = rows.get(rows.size() - 1).getString("uuid");
            return store.findRaw(DEF, last, q.sortKey()).compose(m -> collect(q.after(m), conductor, limit, out));
        });
    }

    /** 406 for a filter newer than the requested microversion; 400 for an unknown provision state or fault. */
    private static void checkFilters(RoutingContext ctx, ApiVersion v) {
        FILTER_MIN_VERSION.forEach((filter, minor) -> {
            if (Requests.query(ctx, filter) != null && !v.atLeast(minor)) {
                throw AnvilException.notAcceptable(
                        "Request not acceptable. The minimal required API version should be 1." + minor);
            }
        });
        String state = Requests.query(ctx, "provision_state");
        if (state != null && ProvisionState.lookup(state).isEmpty()) {
            throw AnvilException.invalid("Provision state \"" + state + "\" is not valid");
        }
        String fault = Requests.query(ctx, "fault");
        if (fault != null && !VALID_FAULTS.contains(fault)) {
            throw AnvilException.invalid(
                    "Unrecognized fault \"" + fault + "\" is specified, allowed faults are " + VALID_FAULTS);
        }
    }

    private ListQuery filters(RoutingContext ctx) {
        ListQuery q = new ListQuery();
        Boolean associated = Requests.boolQuery(ctx, "associated");
        if (associated != null) {
            q.where(associated ? "t.instance_uuid IS NOT NULL" : "t.instance_uuid IS NULL");
        }
        Boolean maintenance = Requests.boolQuery(ctx, "maintenance");
        if (maintenance != null) {
            q.where("t.maintenance = " + q.param(maintenance));
        }
        Boolean retired = Requests.boolQuery(ctx, "retired");
        if (retired != null) {
            q.where("t.retired = " + q.param(retired));
        }
        eq(ctx, q, "provision_state");
        eq(ctx, q, "driver");
        eq(ctx, q, "resource_class");
        eq(ctx, q, "fault");
        eq(ctx, q, "owner");
        eq(ctx, q, "lessee");
        String group = Requests.query(ctx, "conductor_group");
        if (group != null) {
            q.where("lower(t.conductor_group) = " + q.param(group.toLowerCase()));
        }
        String project = Requests.query(ctx, "project");
        if (project != null) {
            q.where(Visibility.ownedOrLeased(q.param(project), "t."));
        }
        Visibility.nodes(ctx, q);
        String desc = Requests.query(ctx, "description_contains");
        if (desc != null) {
            q.where("t.description ILIKE "
                    + q.param(
                            "%" + desc.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"));
        }
        for (String u : List.of("instance_uuid", "chassis_uuid")) {
            String val = u.equals("chassis_uuid") ? chassisFilter(ctx) : Requests.query(ctx, u);
            if (val != null) {
                UUID id = SqlValues.uuidOrNull(val);
                if (id == null) {
                    throw AnvilException.invalid("Expected a UUID for " + u + " but received " + val + ".");
                }
                q.where("t." + u + " = " + q.param(id));
            }
        }
        return q;
    }

    /** The chassis the list is scoped to: the one of /v1/chassis/{uuid}/nodes, else the chassis_uuid filter. */
    private static String chassisFilter(RoutingContext ctx) {
        String scope = ctx.get(ChassisApi.SCOPE_KEY);
        return scope != null ? scope : Requests.query(ctx, "chassis_uuid");
    }

    /** Ironic's node list resolves its chassis_uuid filter to a chassis: an unknown one is 404, not an empty list. */
    private Future<Void> chassisExists(RoutingContext ctx) {
        String chassis = ctx.get(ChassisApi.SCOPE_KEY) != null ? null : Requests.query(ctx, "chassis_uuid");
        if (chassis == null || SqlValues.uuidOrNull(chassis) == null) {
            return Future.succeededFuture();
        }
        return store.find(Resources.CHASSIS, chassis)
                .compose(row ->
                        row == null ? Future.failedFuture(ChassisApi.notFound(chassis)) : Future.succeededFuture());
    }

    private static void eq(RoutingContext ctx, ListQuery q, String column) {
        String v = Requests.query(ctx, column);
        if (v != null) {
            q.where("t." + column + " = " + q.param(v));
        }
    }

    Future<JsonObject> show(RoutingContext ctx) {
        Requests.allowOnly(ctx, Set.of("fields"));
        ApiVersion v = Requests.version(ctx);
        Set<String> fields = Requests.fields(ctx);
        List<String> visible = views.visible(v);
        Views.checkFields(fields, visible);
        return load(ctx.pathParam("node")).map(row -> {
            views.addComputed(row);
            return views.render(row, fields != null ? List.copyOf(fields) : visible, base(ctx), fields == null, v);
        });
    }

    /**
     * GET one node as encoded bytes. The full rendering is cached per (node, version, base URL, conductor
     * snapshot) and revalidated against the row version on every request.
     */
    Future<Buffer> showEncoded(RoutingContext ctx) {
        if (ctx.queryParams().contains("fields")) {
            return show(ctx).map(JsonObject::toBuffer);
        }
        Requests.allowOnly(ctx, Set.of());
        ApiVersion v = Requests.version(ctx);
        String ident = ctx.pathParam("node");
        String base = base(ctx);
        return store.rowVersion(DEF, ident).compose(rowVersion -> {
            if (rowVersion == null) {
                return Future.failedFuture(notFound(ident));
            }
            Buffer cached = views.cached(ident, v, base, rowVersion);
            if (cached != null) {
                return Future.succeededFuture(cached);
            }
            return load(ident).map(row -> {
                views.addComputed(row);
                return views.fullRendering(ident, row, v, base);
            });
        });
    }

    Future<JsonObject> states(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        return load(ctx.pathParam("node")).map(row -> {
            JsonObject s = new JsonObject();
            for (String f : List.of(
                    "console_enabled",
                    "last_error",
                    "power_state",
                    "provision_state",
                    "provision_updated_at",
                    "target_power_state",
                    "target_provision_state")) {
                s.put(f, row.getValue(f));
            }
            if (v.atLeast(12)) {
                s.put("raid_config", row.getValue("raid_config"))
                        .put("target_raid_config", row.getValue("target_raid_config"));
            }
            if (v.atLeast(75)) {
                s.put("boot_mode", row.getValue("boot_mode")).put("secure_boot", row.getValue("secure_boot"));
            }
            return s;
        });
    }

    /** The node by UUID or name, or 404 in Ironic's words. */
    Future<JsonObject> load(String ident) {
        return store.find(DEF, ident)
                .compose(row -> row == null ? Future.failedFuture(notFound(ident)) : Future.succeededFuture(row));
    }

    /** Rejects a node identifier the microversion cannot resolve: a name below 1.5 (404), an invalid name (400). */
    static void checkIdent(String ident, ApiVersion v) {
        if (SqlValues.uuidOrNull(ident) != null) {
            return;
        }
        if (!v.atLeast(5)) {
            throw notFound(ident);
        }
        if (!NodeUpdates.isLogicalName(ident)) {
            throw AnvilException.invalid("Expected a logical name or UUID but received " + ident + ".");
        }
    }

    static AnvilException notFound(String ident) {
        return AnvilException.notFound("Node " + ident + " could not be found.");
    }

    // ---- writes ----

    Future<JsonObject> create(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        List<String> unknown = new ArrayList<>();
        Map<String, Object> cols = new LinkedHashMap<>();
        for (String key : body.fieldNames()) {
            FieldSpec f = DEF.field(key);
            if (f != null && f.creatable() && !v.atLeast(f.minVersion())) {
                Object value = body.getValue(key);
                if (value == null || (key.equals("conductor_group") && "".equals(value))) {
                    continue; // Ironic's reject_fields_in_newer_versions lets an empty value through
                }
                // a real field, only not at this microversion
                throw AnvilException.notAcceptable("Request not acceptable. The minimal required API version "
                        + "should be 1." + f.minVersion() + " to set '" + key + "'.");
            }
            if (f == null || !f.creatable() || !v.atLeast(f.minVersion())) {
                unknown.add(key);
                continue;
            }
            if (key.equals("network_data")) {
                NetworkData.validate(body.getValue(key));
            }
            cols.put(key, SqlValues.toSql("node", f, body.getValue(key)));
            if (SecretBox.NODE_COLUMNS.contains(key)) {
                SecretBox.refuseSealedInput(key, cols.get(key));
            }
        }
        if (!unknown.isEmpty()) {
            throw AnvilException.invalid(
                    "Unknown or read-only attribute(s) for node: " + String.join(", ", unknown) + ".");
        }
        if (cols.get("driver") == null) {
            throw AnvilException.invalid("Mandatory field missing: 'driver'.");
        }
        // below 1.11 a new node starts available, as before the enroll state existed (NodesController.post)
        updates.creation(cols, v.atLeast(11) ? ProvisionState.ENROLL : ProvisionState.AVAILABLE);
        return store.database()
                .inTransaction(tx -> store.insert(tx, DEF, cols).compose(row -> services.outbox()
                        .writeNodeInfo(tx, "baremetal.node.create.end", row)
                        .map(row)))
                .map(row -> {
                    views.addComputed(row);
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base(ctx) + "/v1/nodes/" + row.getString("uuid"));
                    return views.renderFull(row, base(ctx), v);
                });
    }

    Future<JsonObject> patch(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        for (JsonPatch.Op op : ops) {
            checkPatchable(op.field(), op, v);
            if (SecretBox.NODE_COLUMNS.contains(op.field())) {
                SecretBox.refuseSealedInput(op.path(), op.value());
            }
            if (op.from() != null) {
                checkPatchable(JsonPatch.pointer(op.from()).get(0), op, v);
            }
            if (op.path().equals("/network_data")
                    && (op.op().equals("add") || op.op().equals("replace"))) {
                // validate_network_data: the whole value, as Ironic checks it (not a value set below it)
                NetworkData.validate(op.value());
            }
        }
        Requests.allowOnly(ctx, Set.of("reset_interfaces"));
        Boolean reset = Requests.boolQuery(ctx, "reset_interfaces");
        if (reset != null && !v.atLeast(45)) {
            throw AnvilException.notAcceptable("Request not acceptable. The minimal required API version should be "
                    + "1.45 to use reset_interfaces.");
        }
        if (reset != null && !touched(ops).contains("driver")) {
            throw AnvilException.invalid(
                    "The reset_interfaces parameter can only be used when changing the node's driver.");
        }
        boolean resetInterfaces = Boolean.TRUE.equals(reset);
        String ident = ctx.pathParam("node");
        // under the node's fair lock (a bounded wait), against the row as it is now: no update is lost
        return tasks().withTask(ident, tasks().apiNodeEdit("updating node"), task -> {
                    JsonObject old = task.node();
                    checkUpdatable(old, ops, v);
                    JsonObject patched = JsonPatch.apply(old, ops);
                    Map<String, Object> changes = updates.changes(old, patched, touched(ops), resetInterfaces);
                    if (old.getValue("chassis_uuid") != null
                            && changes.containsKey("chassis_uuid")
                            && changes.get("chassis_uuid") == null
                            && !v.atLeast(25)) {
                        // NodesController._update_changed_fields: a node leaves its chassis from 1.25 on
                        throw AnvilException.notAcceptable("Request not acceptable. The minimal required API "
                                + "version should be 1.25 to remove chassis_uuid.");
                    }
                    String allocation = old.getString("allocation_uuid");
                    if (allocation != null && changes.containsKey("allocation_uuid")) {
                        // the instance went: so does its allocation, in the same transaction
                        return task.saveWithEvent(
                                changes, "baremetal.node.update.end", "info", null, tx -> new Allocations(tasks())
                                        .deleteInTx(tx, allocation));
                    }
                    return task.saveWithEvent(changes, "baremetal.node.update.end", "info", null);
                })
                .map(row -> {
                    views.addComputed(row);
                    return views.renderFull(row, base(ctx), v);
                });
    }

    /**
     * Ironic's NodesController._validate_patch: only PATCH_ALLOWED_FIELDS (400 naming them), and a field newer than
     * the requested microversion is 406 (reject_patch_in_newer_versions). The fields Ironic added after Anvil's
     * maximum microversion are therefore always 406 here.
     */
    private void checkPatchable(String field, JsonPatch.Op op, ApiVersion v) {
        if (!PATCH_ALLOWED_FIELDS.contains(field)) {
            throw AnvilException.invalid("Cannot patch " + op.path() + ". Only the following can be updated: "
                    + String.join(", ", PATCH_ALLOWED_FIELDS));
        }
        FieldSpec f = DEF.field(field);
        if (f == null || !v.atLeast(f.minVersion())) {
            throw AnvilException.notAcceptable("Request not acceptable. The field '" + field + "' cannot be "
                    + "updated at API version " + v + ".");
        }
        if (op.op().equals("remove") && op.path().equals("/" + field) && field.equals("driver")) {
            throw AnvilException.invalid("'/" + field + "' is a mandatory attribute and can not be removed");
        }
    }

    /**
     * NodesController.patch's state checks, against the node as it is under its lock: no update while a state
     * transition is in progress (outside UPDATE_ALLOWED_STATES), except removing instance_uuid in maintenance, and
     * none while inspecting from 1.39 (when inspect wait exists).
     */
    private static void checkUpdatable(JsonObject node, List<JsonPatch.Op> ops, ApiVersion v) {
        ProvisionState state = ProvisionState.fromValue(node.getString("provision_state"));
        boolean onlyRemovesInstance = ops.size() == 1
                && ops.get(0).op().equals("remove")
                && ops.get(0).path().equals("/instance_uuid");
        if (Boolean.TRUE.equals(node.getBoolean("maintenance")) && onlyRemovesInstance) {
            return;
        }
        if (node.getValue("target_provision_state") != null && !UPDATE_ALLOWED_STATES.contains(state)) {
            throw AnvilException.conflict(
                    "Node " + node.getString("uuid") + " can not be updated while a state transition is in progress.");
        }
        if (state == ProvisionState.INSPECTING && v.atLeast(39)) {
            throw AnvilException.conflict("Cannot update node \"" + node.getString("uuid")
                    + "\" while it is in state \"" + state.value() + "\".");
        }
    }

    /** The top-level fields the patch operations name. */
    private static Set<String> touched(List<JsonPatch.Op> ops) {
        Set<String> touched = new HashSet<>();
        ops.forEach(op -> touched.add(op.field()));
        return touched;
    }

    Future<Void> delete(RoutingContext ctx) {
        String ident = ctx.pathParam("node");
        return tasks().withTask(ident, tasks().apiWrite("deleting node"), task -> {
            NodeUpdates.checkDeletable(task.node());
            return task.destroy("baremetal.node.delete.end");
        });
    }

    Future<Void> setMaintenance(RoutingContext ctx, boolean on) {
        String reason = null;
        if (on && ctx.body().buffer() != null && ctx.body().buffer().length() > 0) {
            JsonObject body = Requests.jsonObject(ctx);
            // Ironic's put(node_ident, reason=None): any other argument is refused
            for (String field : body.fieldNames()) {
                if (!field.equals("reason")) {
                    throw AnvilException.invalid("Unknown argument: \"" + field + "\"");
                }
            }
            Object r = body.getValue("reason");
            if (r != null && !(r instanceof String)) {
                throw AnvilException.invalid("The maintenance reason must be a string.");
            }
            reason = (String) r;
        }
        String ident = ctx.pathParam("node");
        String why = reason;
        return tasks().withTask(ident, tasks().apiNodeEdit("setting maintenance"), task -> task.saveWithEvents(
                        NodeUpdates.maintenance(on, why),
                        "baremetal.node.maintenance_set.start",
                        "baremetal.node.maintenance_set.end")
                .mapEmpty());
    }

    // ---- helpers ----

    private TaskManager tasks() {
        return services.conductor().tasks();
    }

    private String base(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }
}
