package io.anvil.api;

import io.anvil.auth.Visibility;
import io.anvil.conductor.ChildUpdates;
import io.anvil.errors.AnvilException;
import io.anvil.store.FieldSpec;
import io.anvil.store.FieldType;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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
 * Resources that belong to a node: ports, portgroups, volume connectors and volume targets. One class, because
 * they differ only in fields, filters and a few validation rules (see {@link Kind}); the value rules themselves are
 * {@link ChildUpdates}'.
 */
final class ChildApi {

    /** The per-resource differences. {@code minVersion}: below it the collection does not exist (404). */
    enum Kind {
        PORT(
                Resources.PORT,
                1,
                "ports",
                Set.of("node", "node_uuid", "address", "portgroup"),
                List.of("address", "node_uuid")),
        PORTGROUP(Resources.PORTGROUP, 23, "portgroups", Set.of("node", "address"), List.of("node_uuid")),
        VOLUME_CONNECTOR(
                Resources.VOLUME_CONNECTOR,
                32,
                "volume/connectors",
                Set.of("node"),
                List.of("node_uuid", "type", "connector_id")),
        VOLUME_TARGET(
                Resources.VOLUME_TARGET,
                32,
                "volume/targets",
                Set.of("node"),
                List.of("node_uuid", "volume_type", "volume_id", "boot_index"));

        final ResourceDef def;
        final int minVersion;
        final String path;
        final Set<String> filters;
        final List<String> required;

        Kind(ResourceDef def, int minVersion, String path, Set<String> filters, List<String> required) {
            this.def = def;
            this.minVersion = minVersion;
            this.path = path;
            this.filters = filters;
            this.required = required;
        }
    }

    private final ApiServices services;
    private final ResourceStore store;
    private final NodeApi nodes;

    ChildApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.store = services.store();
        this.nodes = nodes;
    }

    private static void checkVersion(RoutingContext ctx, Kind kind) {
        if (!Requests.version(ctx).atLeast(kind.minVersion)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    /** GET /v1/{kind} or, with {@code nodeIdent}, GET /v1/nodes/{node}/{kind}. */
    Future<JsonObject> list(RoutingContext ctx, Kind kind, boolean detailPath, String nodeIdent) {
        checkVersion(ctx, kind);
        if (nodeIdent != null
                && kind == Kind.PORTGROUP
                && !Requests.version(ctx).atLeast(24)) {
            // Ironic: /v1/nodes/{node}/portgroups exists from 1.24 (allow_portgroups_subcontrollers)
            throw AnvilException.notFound("The resource could not be found.");
        }
        Set<String> allowed = new HashSet<>(Collections.PAGING);
        if (nodeIdent == null) {
            allowed.addAll(kind.filters);
        }
        Requests.allowOnly(ctx, allowed);
        ApiVersion v = Requests.version(ctx);
        Boolean detailParam = Requests.boolQuery(ctx, "detail");
        boolean detail = detailPath || Boolean.TRUE.equals(detailParam);
        Set<String> fields = Requests.fields(ctx);
        if (detail && fields != null) {
            throw AnvilException.invalid("Can not specify ?detail=True and fields in the same request.");
        }
        List<String> visible = Views.visibleFields(kind.def, v, List.of());
        Views.checkFields(fields, visible);
        List<String> names = fields != null ? List.copyOf(fields) : detail ? visible : kind.def.defaultListFields();
        String base = Links.base(ctx, services.config().api().publicUrl());
        ListQuery q = new ListQuery();
        Visibility.children(ctx, q);
        String nodeFilter = nodeIdent != null
                ? nodeIdent
                : Requests.query(ctx, "node") != null ? Requests.query(ctx, "node") : Requests.query(ctx, "node_uuid");
        Future<Void> scoped = Future.succeededFuture();
        if (nodeFilter != null) {
            scoped = nodes.load(nodeFilter).map(n -> {
                q.where("t.node_id = " + q.param(n.getLong("id")));
                return null;
            });
        }
        String address = Requests.query(ctx, "address");
        if (address != null) {
            q.where("t.address = " + q.param(ChildUpdates.normaliseMac(address)));
        }
        String portgroup = Requests.query(ctx, "portgroup");
        if (portgroup != null) {
            scoped = scoped.compose(x -> loadPortgroup(portgroup)).map(g -> {
                q.where("t.portgroup_id = " + q.param(g.getLong("id")));
                return null;
            });
        }
        return scoped.compose(x -> Collections.page(
                        ctx, store, kind.def, q, services.config().api().maxLimit()))
                .compose(limit -> store.list(kind.def, q).map(rows -> {
                    List<JsonObject> items = new ArrayList<>(rows.size());
                    rows.forEach(r -> items.add(subLinks(
                            kind,
                            Views.project(r, names, base, kind.path + "/" + r.getString("uuid")),
                            base,
                            detail && fields == null)));
                    return Views.collection(
                            kind.def.plural(), items, limit, Collections.nextUrl(ctx, base, rows, limit));
                }));
    }

    Future<JsonObject> show(RoutingContext ctx, Kind kind) {
        checkVersion(ctx, kind);
        Requests.allowOnly(ctx, Set.of("fields"));
        ApiVersion v = Requests.version(ctx);
        Set<String> fields = Requests.fields(ctx);
        List<String> visible = Views.visibleFields(kind.def, v, List.of());
        Views.checkFields(fields, visible);
        String base = Links.base(ctx, services.config().api().publicUrl());
        return load(kind, ctx.pathParam("id"))
                .map(r -> subLinks(
                        kind,
                        Views.project(
                                r,
                                fields != null ? List.copyOf(fields) : visible,
                                base,
                                kind.path + "/" + r.getString("uuid")),
                        base,
                        fields == null));
    }

    /** A portgroup's full view links its ports, as Ironic's does. */
    private static JsonObject subLinks(Kind kind, JsonObject out, String base, boolean full) {
        if (kind == Kind.PORTGROUP && full) {
            out.put("ports", Links.of(base, "portgroups/" + out.getString("uuid") + "/ports"));
        }
        return out;
    }

    private Future<JsonObject> load(Kind kind, String ident) {
        return store.find(kind.def, ident)
                .compose(r -> r == null
                        ? Future.failedFuture(AnvilException.notFound(
                                capital(kind.def.singular()) + " " + ident + " could not be found."))
                        : Future.succeededFuture(r));
    }

    private Future<JsonObject> loadPortgroup(String ident) {
        return load(Kind.PORTGROUP, ident);
    }

    Future<JsonObject> create(RoutingContext ctx, Kind kind) {
        checkVersion(ctx, kind);
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        List<String> unknown = new ArrayList<>();
        for (String key : body.fieldNames()) {
            FieldSpec f = kind.def.field(key);
            if (f != null && f.creatable() && !v.atLeast(f.minVersion())) {
                throw newerField(key, f);
            }
            if (f == null || !f.creatable()) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw AnvilException.invalid("Unknown or read-only attribute(s) for " + kind.def.singular() + ": "
                    + String.join(", ", unknown) + ".");
        }
        for (String r : kind.required) {
            if (body.getValue(r) == null) {
                throw AnvilException.invalid("Mandatory field missing: '" + r + "'.");
            }
        }
        JsonObject doc = body.copy();
        if (!doc.containsKey("uuid")) {
            doc.put("uuid", UUID.randomUUID().toString());
        }
        if (kind == Kind.PORTGROUP && doc.getValue("mode") == null) {
            doc.put("mode", ChildUpdates.DEFAULT_PORTGROUP_MODE);
        }
        String base = Links.base(ctx, services.config().api().publicUrl());
        if (!(doc.getValue("node_uuid") instanceof String nodeIdent)) {
            throw AnvilException.invalid(
                    "Expected a UUID or name for node_uuid but received " + doc.getValue("node_uuid") + ".");
        }
        return underNodeLock(nodeIdent, "creating " + kind.def.singular(), () -> store.database()
                        .inTransaction(tx -> columns(tx, kind, doc, doc.fieldNames(), null)
                                .compose(cols -> checkMembership(tx, kind, doc, null, doc.fieldNames())
                                        .map(cols))
                                .compose(cols -> store.insert(tx, kind.def, cols))
                                .compose(row -> event(tx, kind, "create", row))))
                .recover(e -> Future.failedFuture(
                        e instanceof io.anvil.conductor.ConductorErrors.NodeNotFound
                                ? AnvilException.invalid(e.getMessage())
                                : e))
                .map(r -> {
                    ctx.response()
                            .setStatusCode(201)
                            .putHeader("Location", base + "/v1/" + kind.path + "/" + r.getString("uuid"));
                    return subLinks(
                            kind,
                            Views.project(
                                    r,
                                    Views.visibleFields(kind.def, v, List.of()),
                                    base,
                                    kind.path + "/" + r.getString("uuid")),
                            base,
                            true);
                });
    }

    Future<JsonObject> patch(RoutingContext ctx, Kind kind) {
        checkVersion(ctx, kind);
        ApiVersion v = Requests.version(ctx);
        List<JsonPatch.Op> ops = JsonPatch.parse(Requests.json(ctx));
        Set<String> touched = new HashSet<>();
        for (JsonPatch.Op op : ops) {
            for (String field : op.from() == null
                    ? List.of(op.field())
                    : List.of(op.field(), JsonPatch.pointer(op.from()).get(0))) {
                FieldSpec f = kind.def.field(field);
                if (f == null) {
                    throw AnvilException.invalid("Unknown attribute '" + field + "' in patch path " + op.path() + ".");
                }
                if (!v.atLeast(f.minVersion())) {
                    throw newerField(field, f);
                }
                if (kind == Kind.PORTGROUP
                        && op.op().equals("remove")
                        && op.path().equals("/mode")) {
                    throw AnvilException.invalid("'mode' is a mandatory attribute and can not be removed");
                }
                if (!f.patchable()) {
                    throw AnvilException.invalid("'/" + field + "' is an internal attribute and can not be updated");
                }
                if (op.op().equals("remove")
                        && kind.required.contains(field)
                        && op.path().equals("/" + field)) {
                    throw AnvilException.invalid("'/" + field + "' is a mandatory attribute and can not be removed");
                }
                touched.add(field);
            }
        }
        String ident = ctx.pathParam("id");
        String base = Links.base(ctx, services.config().api().publicUrl());
        String purpose = "updating " + kind.def.singular();
        return load(kind, ident)
                .compose(found -> underNodeLocks(
                        found.getString("node_uuid"),
                        touched.contains("node_uuid") ? newNode(found, ops) : null,
                        purpose,
                        () -> store.database().inTransaction(tx -> store.findForUpdate(tx, kind.def, ident)
                                .compose(old -> {
                                    if (old == null) {
                                        return Future.failedFuture(AnvilException.notFound(
                                                capital(kind.def.singular()) + " " + ident + " could not be found."));
                                    }
                                    JsonObject patched = JsonPatch.apply(old, ops);
                                    Set<String> changed = new HashSet<>();
                                    for (String f : touched) {
                                        if (!patched.containsKey(f)) {
                                            patched.put(
                                                    f,
                                                    kind.def.field(f).type() == FieldType.OBJECT
                                                            ? new JsonObject()
                                                            : null);
                                        }
                                        if (!Objects.equals(old.getValue(f), patched.getValue(f))) {
                                            changed.add(f);
                                        }
                                    }
                                    if (kind == Kind.PORT
                                            && changed.contains("physical_network")
                                            && "".equals(patched.getValue("physical_network"))) {
                                        return Future.failedFuture(AnvilException.invalid(
                                                "A non-empty value is required when setting physical_network"));
                                    }
                                    return columns(tx, kind, patched, changed, old)
                                            .compose(cols -> checkNodeState(tx, kind, old, cols, changed, v)
                                                    .map(cols))
                                            .compose(cols -> checkMembership(tx, kind, patched, old, changed)
                                                    .map(cols))
                                            .compose(cols -> store.update(tx, kind.def, old.getLong("id"), cols))
                                            .compose(row -> event(tx, kind, "update", row));
                                }))))
                .map(r -> subLinks(
                        kind,
                        Views.project(
                                r,
                                Views.visibleFields(kind.def, v, List.of()),
                                base,
                                kind.path + "/" + r.getString("uuid")),
                        base,
                        true));
    }

    Future<Void> delete(RoutingContext ctx, Kind kind) {
        checkVersion(ctx, kind);
        String ident = ctx.pathParam("id");
        return load(kind, ident)
                .compose(found -> underNodeLock(
                        found.getString("node_uuid"),
                        "deleting " + kind.def.singular(),
                        () -> store.database().inTransaction(tx -> store.findForUpdate(tx, kind.def, ident)
                                .compose(old -> {
                                    if (old == null) {
                                        return Future.failedFuture(AnvilException.notFound(
                                                capital(kind.def.singular()) + " " + ident + " could not be found."));
                                    }
                                    return parentNode(tx, old.getString("node_uuid"))
                                            .compose(n -> {
                                                if (kind == Kind.PORTGROUP) {
                                                    return tx.preparedQuery(
                                                                    "SELECT count(*) FROM ports WHERE portgroup_id = $1")
                                                            .execute(Tuple.of(old.getLong("id")))
                                                            .compose(rs -> rs.iterator()
                                                                                    .next()
                                                                                    .getLong(0)
                                                                            > 0
                                                                    ? Future.failedFuture(AnvilException.invalid(
                                                                            "Cannot complete the requested action because portgroup "
                                                                                    + old.getString("uuid")
                                                                                    + " contains ports."))
                                                                    : Future.succeededFuture());
                                                }
                                                return Future.succeededFuture();
                                            })
                                            .compose(x -> store.delete(tx, kind.def, old.getLong("id")))
                                            .compose(x -> event(tx, kind, "delete", old))
                                            .<Void>mapEmpty();
                                }))));
    }

    /** Ironic's NotAcceptable for a field the requested microversion does not have yet. */
    private static AnvilException newerField(String field, FieldSpec f) {
        return AnvilException.notAcceptable("Request not acceptable. The minimal required API version should be 1."
                + f.minVersion() + " to use '" + field + "'.");
    }

    /** Where a port's connectivity or a portgroup's node may change without maintenance (update_port/portgroup). */
    private static final List<String> CONNECTIVITY_STATES =
            List.of("enroll", "inspecting", "inspect wait", "manageable");

    /**
     * The node-state rules of Ironic's port and portgroup updates ({@code PortsController.patch},
     * {@code PortgroupsController.patch}, {@code ConductorManager.update_port / update_portgroup}), checked under the
     * node lock against the node the resource ends up on: nothing changes while it is inspecting (from 1.39); a port's
     * MAC stays while the node is active or has an instance, and its connectivity (portgroup, pxe_enabled,
     * local_link_connection, physical_network) and a portgroup's node change only in the states above, unless the
     * node is in maintenance; a portgroup moves to another node only without ports (PortgroupNotEmpty, a 400).
     */
    private Future<Void> checkNodeState(
            SqlClient tx, Kind kind, JsonObject old, Map<String, Object> cols, Set<String> changed, ApiVersion v) {
        if (kind != Kind.PORT && kind != Kind.PORTGROUP) {
            return Future.succeededFuture();
        }
        String select = "SELECT uuid, provision_state, maintenance, instance_uuid FROM nodes WHERE ";
        Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> read = cols.get("node_id") != null
                ? tx.preparedQuery(select + "id = $1").execute(Tuple.of(cols.get("node_id")))
                : tx.preparedQuery(select + "uuid = $1").execute(Tuple.of(UUID.fromString(old.getString("node_uuid"))));
        return read.compose(rs -> {
            var node = rs.iterator().next();
            String nodeUuid = node.getUUID(0).toString();
            String state = node.getString(1);
            boolean maintenance = Boolean.TRUE.equals(node.getBoolean(2));
            String uuid = old.getString("uuid");
            if (state.equals("inspecting") && v.atLeast(39)) {
                return Future.failedFuture(AnvilException.conflict("Cannot update " + kind.def.singular() + " \""
                        + uuid + "\" " + (kind == Kind.PORT ? "on" : "on node") + " \"" + nodeUuid
                        + "\" while it is in state \"inspecting\"."));
            }
            boolean connectivityState = CONNECTIVITY_STATES.contains(state) || maintenance;
            if (kind == Kind.PORT) {
                if (changed.contains("address")
                        && (state.equals("active") || node.getValue(3) != null)
                        && !maintenance) {
                    return Future.failedFuture(AnvilException.conflict("Cannot update hardware address for "
                            + "port " + uuid + " as node " + nodeUuid + " is active or has instance UUID "
                            + "assigned"));
                }
                boolean connectivity = changed.contains("portgroup_uuid")
                        || changed.contains("pxe_enabled")
                        || changed.contains("local_link_connection")
                        || changed.contains("physical_network");
                if (connectivity && !connectivityState) {
                    return Future.failedFuture(AnvilException.conflict("Port " + uuid + " can not have any "
                            + "connectivity attributes (portgroup_id, pxe_enabled, local_link_connection, "
                            + "physical_network) updated unless node " + nodeUuid + " is in a "
                            + String.join(", ", CONNECTIVITY_STATES) + " state or in maintenance mode. The "
                            + "current state is " + state + "."));
                }
                return Future.succeededFuture();
            }
            // a patch naming the same node (by name, say) is no move
            if (!changed.contains("node_uuid") || nodeUuid.equals(old.getString("node_uuid"))) {
                return Future.succeededFuture();
            }
            if (!connectivityState) {
                return Future.failedFuture(AnvilException.conflict("Portgroup " + uuid + " can not be "
                        + "associated to node " + nodeUuid + " unless the node is in a "
                        + String.join(", ", CONNECTIVITY_STATES) + " state or in maintenance mode. Current "
                        + "state is '" + state + "'."));
            }
            return tx.preparedQuery("SELECT count(*) FROM ports WHERE portgroup_id = $1")
                    .execute(Tuple.of(old.getLong("id")))
                    .compose(c -> c.iterator().next().getLong(0) > 0
                            ? Future.failedFuture(AnvilException.invalid("Portgroup " + uuid + " can not be "
                                    + "associated with node " + nodeUuid + " because there are ports "
                                    + "associated with this portgroup."))
                            : Future.succeededFuture());
        });
    }

    /**
     * Ironic's portgroup membership rules, under the node lock:
     *
     * <ul>
     *   <li>a port joining a portgroup, or changing its physical_network inside one, must be on the physical network
     *       of the other members (validate_port_physnet: 409; members already inconsistent, 409
     *       PortgroupPhysnetInconsistent);
     *   <li>a port created with {@code pxe_enabled: true} in a portgroup without standalone ports: 409 (the port
     *       controller's post);
     *   <li>with the {@code flat} network interface (Ironic's NeutronVIFPortIDMixin; {@code noop} checks nothing): an
     *       updated member port of such a portgroup may not be PXE-enabled or carry a VIF, and a portgroup with such
     *       member ports may not stop supporting standalone ports (port_changed / portgroup_changed: 409).
     * </ul>
     */
    private Future<Void> checkMembership(SqlClient tx, Kind kind, JsonObject doc, JsonObject old, Set<String> changed) {
        if (kind == Kind.PORTGROUP) {
            if (old == null
                    || !changed.contains("standalone_ports_supported")
                    || !Boolean.FALSE.equals(doc.getValue("standalone_ports_supported"))) {
                return Future.succeededFuture();
            }
            String pg = old.getString("uuid");
            return tx.preparedQuery("SELECT n.network_interface, p.uuid, p.pxe_enabled, p.internal_info, p.extra"
                            + " FROM portgroups g JOIN nodes n ON n.id = g.node_id"
                            + " LEFT JOIN ports p ON p.portgroup_id = g.id WHERE g.uuid = $1 ORDER BY p.id")
                    .execute(Tuple.of(UUID.fromString(pg)))
                    .compose(rows -> {
                        for (var row : rows) {
                            if (!"flat".equals(row.getString(0)) || row.getValue(1) == null) {
                                break;
                            }
                            List<String> reason = new ArrayList<>();
                            if (Boolean.TRUE.equals(row.getBoolean(2))) {
                                reason.add("'pxe_enabled' is set to True");
                            }
                            String vif = vifOf(row.getJsonObject(3), row.getJsonObject(4));
                            if (vif != null) {
                                reason.add("VIF " + vif + " is attached to this port");
                            }
                            if (!reason.isEmpty()) {
                                return Future.failedFuture(AnvilException.conflict("standalone_ports_supported can "
                                        + "not be set to False, because the port group " + pg + " contains port with "
                                        + String.join(", ", reason)));
                            }
                        }
                        return Future.succeededFuture();
                    });
        }
        if (kind != Kind.PORT || !(doc.getValue("portgroup_uuid") instanceof String pg)) {
            return Future.succeededFuture();
        }
        String port = doc.getString("uuid");
        return tx.preparedQuery("SELECT g.id, g.uuid, g.standalone_ports_supported, n.network_interface"
                        + " FROM portgroups g JOIN nodes n ON n.id = g.node_id WHERE g.uuid = $1")
                .execute(Tuple.of(UUID.fromString(pg)))
                .compose(rows -> {
                    var group = rows.iterator().next();
                    String groupUuid = group.getUUID(1).toString();
                    boolean standalone = !Boolean.FALSE.equals(group.getBoolean(2));
                    Future<Void> physnet = Future.succeededFuture();
                    if (old == null || changed.contains("portgroup_uuid") || changed.contains("physical_network")) {
                        physnet = tx.preparedQuery("SELECT DISTINCT physical_network FROM ports"
                                        + " WHERE portgroup_id = $1 AND uuid <> $2")
                                .execute(Tuple.of(group.getLong(0), UUID.fromString(port)))
                                .compose(nets -> samePhysnet(groupUuid, doc.getString("physical_network"), nets));
                    }
                    if (standalone) {
                        return physnet;
                    }
                    if (old == null) {
                        // the port controller's post: only a pxe_enabled the request sets
                        return Boolean.TRUE.equals(doc.getValue("pxe_enabled"))
                                ? Future.failedFuture(AnvilException.conflict("Port group " + groupUuid + " doesn't "
                                        + "support standalone ports. This port cannot be created as a member of that "
                                        + "portgroup as the port's 'pxe_enabled' field was set to True."))
                                : physnet;
                    }
                    String vif = vifOf(doc.getJsonObject("internal_info"), doc.getJsonObject("extra"));
                    boolean relevant =
                            changed.contains("pxe_enabled") || changed.contains("portgroup_uuid") || vif != null;
                    if (!"flat".equals(group.getString(3)) || !relevant) {
                        return physnet;
                    }
                    List<String> reason = new ArrayList<>();
                    if (!Boolean.FALSE.equals(doc.getValue("pxe_enabled"))) {
                        reason.add("'pxe_enabled' was set to True");
                    }
                    if (vif != null) {
                        reason.add("VIF " + vif + " is attached to the port");
                    }
                    // Ironic's message, its double space included
                    return reason.isEmpty()
                            ? physnet
                            : physnet.compose(x -> Future.failedFuture(AnvilException.conflict("Port group "
                                    + groupUuid + " doesn't support standalone ports. This port " + port
                                    + " cannot be  a member of that port group because of: "
                                    + String.join(", ", reason))));
                });
    }

    /** validate_port_physnet against the other members' physical networks (SQL NULL = Python's None). */
    private static Future<Void> samePhysnet(
            String portgroup, String portPhysnet, io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> nets) {
        List<String> physnets = new ArrayList<>();
        nets.forEach(r -> physnets.add(r.getString(0)));
        if (physnets.isEmpty()) {
            return Future.succeededFuture();
        }
        if (physnets.size() > 1) {
            return Future.failedFuture(AnvilException.conflict("Port group " + portgroup + " has member ports with "
                    + "inconsistent physical networks ("
                    + String.join(", ", physnets.stream().map(ChildApi::py).toList())
                    + "). All ports in a port group must have the same physical network."));
        }
        String groupPhysnet = physnets.get(0);
        if (Objects.equals(groupPhysnet, portPhysnet)) {
            return Future.succeededFuture();
        }
        return Future.failedFuture(AnvilException.conflict("Port with physical network " + py(portPhysnet)
                + " cannot become a member of port group " + portgroup + " which has ports in physical network "
                + py(groupPhysnet) + "."));
    }

    private static String py(String value) {
        return value == null ? "None" : value;
    }

    /** The VIF a port carries: internal_info.tenant_vif_port_id, else the legacy extra.vif_port_id (Ironic's order). */
    private static String vifOf(JsonObject internalInfo, JsonObject extra) {
        if (internalInfo != null
                && internalInfo.getValue(io.anvil.driver.NetworkInterface.TENANT_VIF_KEY) instanceof String vif) {
            return vif;
        }
        return extra != null && extra.getValue("vif_port_id") instanceof String vif ? vif : null;
    }

    /**
     * Ironic's {@code baremetal.<port|portgroup|volumeconnector|volumetarget>.<action>.end} notification, in the
     * transaction of the change (the event feed shows it, docs/events.md); the payload is the row as written (as it
     * was, for a delete), bookkeeping ids dropped and secrets masked, plus the node's {@code node_name}, {@code owner}
     * and {@code conductor_group} so that feed filters on the node match its children's events too.
     */
    private Future<JsonObject> event(io.vertx.sqlclient.SqlClient tx, Kind kind, String action, JsonObject row) {
        JsonObject payload = io.anvil.util.Secrets.mask(row);
        payload.remove("id");
        payload.remove("node_id");
        payload.remove("portgroup_id");
        String nodeUuid = row.getString("node_uuid");
        String type = "baremetal." + EVENT_OBJECTS.get(kind) + "." + action + ".end";
        return tx.preparedQuery("SELECT name, owner, conductor_group FROM nodes WHERE uuid = $1")
                .execute(Tuple.of(UUID.fromString(nodeUuid)))
                .compose(rows -> {
                    if (rows.size() > 0) {
                        var node = rows.iterator().next();
                        payload.put("node_name", node.getString(0))
                                .put("owner", node.getString(1))
                                .put("conductor_group", node.getString(2));
                    }
                    return services.outbox().write(tx, type, nodeUuid, "info", payload);
                })
                .map(row);
    }

    /** The object names of Ironic's notifications (ironic/api/controllers/v1/notification_utils.py). */
    private static final Map<Kind, String> EVENT_OBJECTS = Map.of(
            Kind.PORT, "port",
            Kind.PORTGROUP, "portgroup",
            Kind.VOLUME_CONNECTOR, "volumeconnector",
            Kind.VOLUME_TARGET, "volumetarget");

    /** The node a patch moves {@code found} to (as given: UUID or name), or null when it names none. */
    private static String newNode(JsonObject found, List<JsonPatch.Op> ops) {
        try {
            return JsonPatch.apply(found, ops).getValue("node_uuid") instanceof String s ? s : null;
        } catch (RuntimeException e) {
            return null; // the same patch fails with its own message under the lock
        }
    }

    /**
     * A move between nodes changes both: the destination is locked too (after the current node; each wait is bounded,
     * so two opposite moves cannot block each other for longer than that), and a missing destination is 400.
     */
    private <T> Future<T> underNodeLocks(
            String current, String destination, String purpose, java.util.function.Supplier<Future<T>> work) {
        if (destination == null || destination.equalsIgnoreCase(current)) {
            return underNodeLock(current, purpose, work);
        }
        return underNodeLock(current, purpose, () -> underNodeLock(destination, purpose, work)
                .recover(e -> Future.failedFuture(
                        e instanceof io.anvil.conductor.ConductorErrors.NodeNotFound
                                ? AnvilException.invalid(e.getMessage())
                                : e)));
    }

    /**
     * Runs a write of a node's child under that node's exclusive lock (a bounded wait in its fair queue), as
     * Ironic's conductor does for port and portgroup changes.
     */
    private <T> Future<T> underNodeLock(String nodeIdent, String purpose, java.util.function.Supplier<Future<T>> work) {
        if (nodeIdent == null || nodeIdent.isBlank()) {
            return Future.failedFuture(AnvilException.invalid("Mandatory field missing: 'node_uuid'."));
        }
        var tasks = services.conductor().tasks();
        return tasks.withTask(nodeIdent, tasks.apiWrite(purpose), task -> work.get());
    }

    /**
     * Validates {@code fields} of {@code doc} and turns them into columns, resolving node_uuid/portgroup_uuid to
     * ids. The parent node must exist and not be locked; a portgroup must belong to the same node.
     */
    private Future<Map<String, Object>> columns(
            SqlClient tx, Kind kind, JsonObject doc, Set<String> fields, JsonObject old) {
        Map<String, Object> cols = new LinkedHashMap<>();
        for (String key : fields) {
            FieldSpec f = kind.def.field(key);
            if (f.type() == FieldType.REFERENCE) {
                continue;
            }
            Object value = doc.getValue(key);
            if (key.equals("address") && value != null) {
                value = ChildUpdates.normaliseMac(String.valueOf(value));
            }
            cols.put(key, SqlValues.toSql(kind.def.singular(), f, value));
        }
        validate(kind, cols);
        String nodeUuid = doc.getValue("node_uuid") instanceof String s ? s : null;
        if (doc.getValue("node_uuid") != null && nodeUuid == null) {
            throw AnvilException.invalid(
                    "Expected a UUID or name for node_uuid but received " + doc.getValue("node_uuid") + ".");
        }
        Future<Void> result = parentNode(tx, nodeUuid).compose(node -> {
            if (old == null || fields.contains("node_uuid")) {
                cols.put("node_id", node.getLong(0));
            }
            String pg = kind == Kind.PORT ? doc.getString("portgroup_uuid") : null;
            if (kind == Kind.PORT
                    && (old == null || fields.contains("portgroup_uuid") || fields.contains("node_uuid"))) {
                if (pg == null) {
                    cols.put("portgroup_id", null);
                    return Future.succeededFuture();
                }
                UUID pgUuid = (UUID) SqlValues.toSql("port", kind.def.field("portgroup_uuid"), pg);
                return tx.preparedQuery("SELECT id, node_id FROM portgroups WHERE uuid = $1")
                        .execute(Tuple.of(pgUuid))
                        .compose(rs -> {
                            if (rs.size() == 0) {
                                return Future.failedFuture(
                                        AnvilException.invalid("Portgroup " + pg + " could not be found."));
                            }
                            var row = rs.iterator().next();
                            if (row.getLong(1) != node.getLong(0)) {
                                return Future.failedFuture(AnvilException.invalid("Port can not be added to portgroup "
                                        + pg + " that belongs to a different node."));
                            }
                            cols.put("portgroup_id", row.getLong(0));
                            return Future.succeededFuture();
                        });
            }
            return Future.succeededFuture();
        });
        return result.map(cols);
    }

    /** The parent node's (id, uuid, reservation) row by UUID or name; 400 when missing. Callers hold its lock. */
    private Future<io.vertx.sqlclient.Row> parentNode(SqlClient tx, String nodeIdent) {
        if (nodeIdent == null || nodeIdent.isBlank()) {
            return Future.failedFuture(AnvilException.invalid("Mandatory field missing: 'node_uuid'."));
        }
        UUID id = SqlValues.uuidOrNull(nodeIdent);
        Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> rows = id != null
                ? tx.preparedQuery("SELECT id, uuid, reservation FROM nodes WHERE uuid = $1 FOR SHARE")
                        .execute(Tuple.of(id))
                : tx.preparedQuery("SELECT id, uuid, reservation FROM nodes WHERE name = $1 FOR SHARE")
                        .execute(Tuple.of(nodeIdent));
        return rows.compose(rs -> {
            if (rs.size() == 0) {
                return Future.failedFuture(AnvilException.invalid("Node " + nodeIdent + " could not be found."));
            }
            return Future.succeededFuture(rs.iterator().next());
        });
    }

    private static void validate(Kind kind, Map<String, Object> cols) {
        switch (kind) {
            case PORT -> ChildUpdates.validatePort(cols);
            case PORTGROUP -> ChildUpdates.validatePortgroup(cols);
            case VOLUME_CONNECTOR -> ChildUpdates.validateVolumeConnector(cols);
            case VOLUME_TARGET -> ChildUpdates.validateVolumeTarget(cols);
            default -> {}
        }
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
