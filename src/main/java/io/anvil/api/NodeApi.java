package io.anvil.api;

import io.anvil.driver.HardwareType;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.FieldSpec;
import io.anvil.store.FieldType;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code /v1/nodes}: Ironic's node resource with its state rules. */
final class NodeApi {
    private static final ResourceDef DEF = Resources.NODE;
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9\\-._~]+$");
    private static final Pattern GROUP = Pattern.compile("^[A-Za-z0-9_\\-.]*$");
    /** Ironic's DELETE_ALLOWED_STATES plus available ([conductor]allow_deleting_available_nodes, default True). */
    private static final Set<String> DELETE_ALLOWED = Set.of("manageable", "enroll", "adopt failed", "available");
    /** Where interface fields (and the driver) may change without maintenance (conductor update_node). */
    private static final List<String> INTERFACE_UPDATE_STATES =
            List.of("enroll", "inspecting", "inspect wait", "manageable", "available");

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
    /** Ironic's faults.VALID_FAULTS. */
    private static final List<String> VALID_FAULTS =
            List.of("power failure", "clean failure", "rescue abort failure", "service failure");

    private final ApiServices services;
    private final ResourceStore store;
    private final ConductorCache conductors;
    private final RenderedCache rendered = new RenderedCache();

    NodeApi(ApiServices services, ConductorCache conductors) {
        this.services = services;
        this.store = services.store();
        this.conductors = conductors;
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
        List<String> visible = visible(v);
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
        return Collections.page(ctx, store, DEF, q, services.config().api().maxLimit())
                .compose(limit -> collect(q, conductorFilter, limit, new ArrayList<>())
                        .compose(rows -> {
                            String next = Collections.nextUrl(ctx, base, rows, limit);
                            if (detail) {
                                return detailPage(rows, v, base, next);
                            }
                            List<JsonObject> items = new ArrayList<>(rows.size());
                            for (JsonObject row : rows) {
                                items.add(render(row, names, base, false, v));
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
        Map<Long, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.get(i);
            Buffer cached = rendered.get(renderKey(row.getString("uuid"), v, base), row.getLong("row_version"));
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
                        addComputed(row);
                        parts[position.get(row.getLong("id"))] = fullRendering(row, v, base);
                    }
                    return null;
                });
        return filled.map(x -> {
            Buffer out = Buffer.buffer(rows.size() * 2600 + 64).appendString("{\"nodes\":[");
            boolean first = true;
            for (Buffer part : parts) {
                if (part == null) {
                    continue; // deleted between the two reads
                }
                if (!first) {
                    out.appendByte((byte) ',');
                }
                out.appendBuffer(part);
                first = false;
            }
            out.appendByte((byte) ']');
            if (next != null) {
                out.appendString(",\"next\":").appendString(io.vertx.core.json.Json.encode(next));
            }
            return out.appendByte((byte) '}');
        });
    }

    private String renderKey(String uuid, ApiVersion v, String base) {
        return uuid + '|' + v.minor() + '|' + base + '|' + conductors.generation();
    }

    /** One node's full rendering, cached by (uuid, version, base URL, conductor snapshot) and its row version. */
    private Buffer fullRendering(JsonObject row, ApiVersion v, String base) {
        String key = renderKey(row.getString("uuid"), v, base);
        Long rowVersion = row.getLong("row_version");
        Buffer cached = rowVersion == null ? null : rendered.get(key, rowVersion);
        if (cached != null) {
            return cached;
        }
        Buffer body = render(row, visible(v), base, true, v).toBuffer();
        if (rowVersion != null) {
            rendered.put(key, rowVersion, body);
        }
        return body;
    }

    /**
     * Reads pages until {@code limit} nodes pass the conductor filter (computed from the hash ring, not a column)
     * or the table is exhausted, so a filtered page is still full and its {@code next} link still appears.
     */
    private Future<List<JsonObject>> collect(ListQuery q, String conductor, int limit, List<JsonObject> out) {
        return store.list(DEF, q).compose(rows -> {
            for (JsonObject row : rows) {
                addComputed(row);
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
            String p = q.param(project);
            q.where("(t.owner = " + p + " OR t.lessee = " + p + ")");
        }
        String desc = Requests.query(ctx, "description_contains");
        if (desc != null) {
            q.where("t.description ILIKE "
                    + q.param(
                            "%" + desc.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"));
        }
        for (String u : List.of("instance_uuid", "chassis_uuid")) {
            String val = Requests.query(ctx, u);
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
        List<String> visible = visible(v);
        Views.checkFields(fields, visible);
        return load(ctx.pathParam("node")).map(row -> {
            addComputed(row);
            return render(row, fields != null ? List.copyOf(fields) : visible, base(ctx), fields == null, v);
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
        String key = ident + '|' + v.minor() + '|' + base + '|' + conductors.generation();
        return store.rowVersion(DEF, ident).compose(rowVersion -> {
            if (rowVersion == null) {
                return Future.failedFuture(notFound(ident));
            }
            Buffer cached = rendered.get(key, rowVersion);
            if (cached != null) {
                return Future.succeededFuture(cached);
            }
            return load(ident).map(row -> {
                addComputed(row);
                Buffer body = render(row, visible(v), base, true, v).toBuffer();
                rendered.put(key, row.getLong("row_version"), body);
                return body;
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
        if (!NAME.matcher(ident).matches()) {
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
            if (f == null || !f.creatable() || !v.atLeast(f.minVersion())) {
                unknown.add(key);
                continue;
            }
            cols.put(key, SqlValues.toSql("node", f, body.getValue(key)));
        }
        if (!unknown.isEmpty()) {
            throw AnvilException.invalid(
                    "Unknown or read-only attribute(s) for node: " + String.join(", ", unknown) + ".");
        }
        String driver = (String) cols.get("driver");
        if (driver == null) {
            throw AnvilException.invalid("Mandatory field missing: 'driver'.");
        }
        String group = cols.get("conductor_group") == null ? "" : ((String) cols.get("conductor_group"));
        validateGroup(group);
        cols.put("conductor_group", group.toLowerCase());
        HardwareType type = hardwareType(driver, group);
        validateName((String) cols.get("name"));
        for (String iface : Resources.INTERFACES) {
            String key = iface + "_interface";
            String impl = (String) cols.get(key);
            if (impl == null) {
                cols.put(key, type.defaultFor(iface));
            } else if (!type.supports(iface, impl)) {
                throw incompatible(iface, impl, type);
            }
        }
        cols.putIfAbsent("uuid", UUID.randomUUID());
        requireConductor(cols.get("uuid").toString(), driver, group);
        cols.put("provision_state", v.atLeast(11) ? "enroll" : "available");
        cols.put("provision_updated_at", java.time.OffsetDateTime.now());
        cols.put("updated_at", null);
        return store.database()
                .inTransaction(tx -> store.insert(tx, DEF, cols).compose(row -> services.outbox()
                        .write(tx, "baremetal.node.create.end", row.getString("uuid"), "info", payload(row))
                        .map(row)))
                .map(row -> {
                    addComputed(row);
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base(ctx) + "/v1/nodes/" + row.getString("uuid"));
                    return render(row, visible(v), base(ctx), true, v);
                });
    }

    Future<JsonObject> patch(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        for (JsonPatch.Op op : ops) {
            checkPatchable(op.field(), op, v);
            if (op.from() != null) {
                checkPatchable(JsonPatch.pointer(op.from()).get(0), op, v);
            }
        }
        String ident = ctx.pathParam("node");
        // under the node's fair lock (a bounded wait), against the row as it is now: no update is lost
        return tasks().withTask(ident, tasks().apiWrite("updating node"), task -> {
                    JsonObject old = task.node();
                    JsonObject patched = JsonPatch.apply(old, ops);
                    Map<String, Object> changes = changes(old, patched, ops);
                    return task.saveWithEvent(changes, "baremetal.node.update.end", "info", null);
                })
                .map(row -> {
                    addComputed(row);
                    return render(row, visible(v), base(ctx), true, v);
                });
    }

    private void checkPatchable(String field, JsonPatch.Op op, ApiVersion v) {
        FieldSpec f = DEF.field(field);
        if (f == null || !v.atLeast(f.minVersion())) {
            throw AnvilException.invalid("Unknown attribute '" + field + "' in patch path " + op.path() + ".");
        }
        if (!f.patchable()) {
            throw AnvilException.invalid("'/" + field + "' is an internal attribute and can not be updated");
        }
        if (op.op().equals("remove")
                && op.path().equals("/" + field)
                && (field.equals("driver") || field.equals("uuid"))) {
            throw AnvilException.invalid("'/" + field + "' is a mandatory attribute and can not be removed");
        }
    }

    /** Validates the patched node against Ironic's rules and returns the columns to write. */
    private Map<String, Object> changes(JsonObject old, JsonObject patched, List<JsonPatch.Op> ops) {
        Set<String> touched = new HashSet<>();
        ops.forEach(op -> touched.add(op.field()));
        Map<String, Object> cols = new LinkedHashMap<>();
        for (String field : touched) {
            FieldSpec f = DEF.field(field);
            Object value = patched.containsKey(field) ? patched.getValue(field) : removedValue(f, patched);
            Object sql = SqlValues.toSql("node", f, value);
            if (!Objects.equals(normalise(old.getValue(field)), normalise(value))) {
                cols.put(field, sql);
            }
        }
        String state = old.getString("provision_state");
        boolean maintenance = Boolean.TRUE.equals(patched.getBoolean("maintenance"));
        String driver = (String) cols.getOrDefault("driver", old.getString("driver"));
        String group = (String) cols.getOrDefault("conductor_group", old.getString("conductor_group"));
        if (cols.containsKey("conductor_group")) {
            validateGroup(group);
            cols.put("conductor_group", group.toLowerCase());
        }
        HardwareType type = hardwareType(driver, group);
        boolean driverChanged = cols.containsKey("driver");
        if (driverChanged || cols.containsKey("conductor_group")) {
            requireConductor(old.getString("uuid"), driver, group);
        }
        for (String iface : Resources.INTERFACES) {
            String key = iface + "_interface";
            if (cols.containsKey(key) || driverChanged) {
                if (!INTERFACE_UPDATE_STATES.contains(state) && !maintenance) {
                    throw AnvilException.conflict("Node " + old.getString("uuid") + " can not have "
                            + (driverChanged ? "driver" : key) + " updated unless it is in one of allowed ("
                            + String.join(", ", INTERFACE_UPDATE_STATES) + ") states or in maintenance mode.");
                }
            }
            String impl = (String) (cols.containsKey(key) ? cols.get(key) : old.getString(key));
            if (impl == null || (driverChanged && !touched.contains(key) && !type.supports(iface, impl))) {
                cols.put(key, type.defaultFor(iface));
            } else if (!type.supports(iface, impl)) {
                throw incompatible(iface, impl, type);
            }
        }
        if (cols.containsKey("name")) {
            validateName((String) cols.get("name"));
        }
        if (cols.containsKey("instance_uuid")
                && old.getValue("instance_uuid") != null
                && cols.get("instance_uuid") != null) {
            throw AnvilException.conflict("Node " + old.getString("uuid") + " is associated with instance "
                    + old.getString("instance_uuid") + ".");
        }
        if (Boolean.TRUE.equals(cols.get("protected")) && !"active".equals(state)) {
            throw AnvilException.invalid("Node " + old.getString("uuid") + " can only be made protected in provision "
                    + "state 'active', not '" + state + "'.");
        }
        boolean protectedAfter = Boolean.TRUE.equals(
                cols.containsKey("protected") ? cols.get("protected") : old.getBoolean("protected"));
        if (cols.get("protected_reason") != null && !protectedAfter) {
            throw AnvilException.invalid(
                    "Cannot set protected_reason on node " + old.getString("uuid") + " without protected=True.");
        }
        if (cols.containsKey("protected") && !protectedAfter) {
            cols.put("protected_reason", null);
        }
        if (Boolean.FALSE.equals(cols.get("maintenance"))) {
            cols.put("maintenance_reason", null);
            cols.put("fault", null);
        }
        if (cols.containsKey("retired") && !Boolean.TRUE.equals(cols.get("retired"))) {
            cols.put("retired_reason", null);
        }
        return cols;
    }

    /** What a removed top-level field becomes: {} for documents, false for flags, null otherwise. */
    private static Object removedValue(FieldSpec f, JsonObject patched) {
        if (f.type() == FieldType.OBJECT) {
            return new JsonObject();
        }
        if (f.type() == FieldType.BOOL && !f.name().equals("automated_clean")) {
            return false;
        }
        return null;
    }

    private static Object normalise(Object v) {
        return v instanceof String s && SqlValues.uuidOrNull(s) != null ? SqlValues.uuidOrNull(s) : v;
    }

    Future<Void> delete(RoutingContext ctx) {
        String ident = ctx.pathParam("node");
        return tasks().withTask(ident, tasks().apiWrite("deleting node"), task -> {
            JsonObject old = task.node();
            String uuid = old.getString("uuid");
            if (Boolean.TRUE.equals(old.getBoolean("protected"))) {
                return Future.failedFuture(AnvilException.invalid(
                        "Node " + uuid + " is protected and cannot be undeployed, rebuilt or deleted"));
            }
            if (old.getValue("instance_uuid") != null) {
                return Future.failedFuture(AnvilException.conflict(
                        "Node " + uuid + " is associated with instance " + old.getString("instance_uuid") + "."));
            }
            String state = old.getString("provision_state");
            if (!DELETE_ALLOWED.contains(state) && !Boolean.TRUE.equals(old.getBoolean("maintenance"))) {
                return Future.failedFuture(AnvilException.conflict("Can not delete node " + uuid
                        + " while it is in provision state \"" + state
                        + "\". Valid provision states to perform deletion are: "
                        + DELETE_ALLOWED + ", or put the node in maintenance mode."));
            }
            return task.destroy("baremetal.node.delete.end");
        });
    }

    Future<Void> setMaintenance(RoutingContext ctx, boolean on) {
        String reason = null;
        if (on && ctx.body().buffer() != null && ctx.body().buffer().length() > 0) {
            JsonObject body = Requests.jsonObject(ctx);
            Object r = body.getValue("reason");
            if (r != null && !(r instanceof String)) {
                throw AnvilException.invalid("The maintenance reason must be a string.");
            }
            reason = (String) r;
        }
        String ident = ctx.pathParam("node");
        String why = reason;
        return tasks().withTask(ident, tasks().apiWrite("setting maintenance"), task -> {
            Map<String, Object> cols = new LinkedHashMap<>();
            cols.put("maintenance", on);
            cols.put("maintenance_reason", on ? why : null);
            if (!on) {
                cols.put("fault", null);
            }
            return task.saveWithEvents(
                            cols, "baremetal.node.maintenance_set.start", "baremetal.node.maintenance_set.end")
                    .mapEmpty();
        });
    }

    // ---- helpers ----

    private io.anvil.conductor.TaskManager tasks() {
        return services.conductor().tasks();
    }

    private HardwareType hardwareType(String driver, String group) {
        return services.hardwareTypes().get(driver).orElseThrow(() -> noValidHost(driver, group));
    }

    /** Ironic's get_topic_for: some alive conductor must run the driver in the node's group. */
    private void requireConductor(String uuid, String driver, String group) {
        if (conductors.ownerOf(uuid, driver, group) == null) {
            throw noValidHost(driver, group);
        }
    }

    private static AnvilException noValidHost(String driver, String group) {
        return AnvilException.invalid("No valid host was found. Reason: No conductor service registered which "
                + "supports driver " + driver + " for conductor group \"" + (group == null ? "" : group) + "\".");
    }

    private static AnvilException incompatible(String iface, String impl, HardwareType type) {
        return AnvilException.invalid(
                iface + " interface implementation '" + impl + "' is not supported by hardware " + "type " + type.name()
                        + ". Supported: " + String.join(", ", type.interfaces().get(iface)) + ".");
    }

    private static void validateName(String name) {
        if (name != null && (!NAME.matcher(name).matches() || SqlValues.uuidOrNull(name) != null)) {
            throw AnvilException.invalid("Expected a logical name but received " + name
                    + ". A name may contain only letters, digits and -._~ and must not look like a UUID.");
        }
    }

    private static void validateGroup(String group) {
        if (group != null && !GROUP.matcher(group).matches()) {
            throw AnvilException.invalid(
                    "Invalid conductor_group '" + group + "': it may contain only letters, digits, '_', '-' and '.'.");
        }
    }

    private void addComputed(JsonObject row) {
        row.put(
                "conductor",
                conductors.ownerOf(row.getString("uuid"), row.getString("driver"), row.getString("conductor_group")));
    }

    private List<String> visible(ApiVersion v) {
        return Views.visibleFields(DEF, v, v.atLeast(49) ? List.of("conductor") : List.of());
    }

    private static JsonObject render(
            JsonObject row, List<String> names, String base, boolean withSubLinks, ApiVersion v) {
        String uuid = row.getString("uuid");
        JsonObject out = Views.project(row, names, base, "nodes/" + uuid);
        if (withSubLinks) {
            out.put("ports", Links.of(base, "nodes/" + uuid + "/ports"));
            if (v.atLeast(24)) {
                out.put("portgroups", Links.of(base, "nodes/" + uuid + "/portgroups"));
            }
            out.put("states", Links.of(base, "nodes/" + uuid + "/states"));
            if (v.atLeast(32)) {
                out.put("volume", Links.of(base, "nodes/" + uuid + "/volume"));
            }
        }
        return out;
    }

    /** The notification payload: Ironic's NodePayload fields, secrets masked. */
    static JsonObject payload(JsonObject row) {
        return io.anvil.events.NodePayloads.node(row);
    }

    private String base(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }
}
