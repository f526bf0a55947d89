package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;
import static io.anvil.api.Handlers.respond;

import io.anvil.conductor.ManagementActions;
import io.anvil.conductor.NodeUpdates;
import io.anvil.driver.HardwareType;
import io.anvil.driver.raid.RaidConfig;
import io.anvil.errors.AnvilException;
import io.anvil.store.BiosSettingsStore;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's validate, management (NMI, boot mode, secure boot, indicators), vendor passthru, BIOS and RAID routes and
 * the drivers' passthru and RAID properties, as Ironic's {@code ironic/api/controllers/v1/node.py}, {@code bios.py}
 * and {@code driver.py} serve them: same fields, microversions, status codes and messages (docs/api.md).
 */
final class ManagementApi {
    /** Ironic's states.UNSTABLE_STATES: a boot mode change would race the running operation. */
    private static final Set<String> UNSTABLE_STATES = Set.of(
            "deploying",
            "wait call-back",
            "cleaning",
            "clean wait",
            "verifying",
            "deleting",
            "inspecting",
            "inspect wait",
            "adopting",
            "rescuing",
            "rescue wait",
            "unrescuing",
            "servicing",
            "service wait");

    private static final List<String> BIOS_DEFAULT_FIELDS = List.of("name", "value");
    /** bios.py's _DEFAULT_FIELDS_WITH_REGISTRY. */
    private static final List<String> BIOS_DETAIL_FIELDS = List.of(
            "name",
            "value",
            "attribute_type",
            "allowable_values",
            "lower_bound",
            "max_length",
            "min_length",
            "read_only",
            "reset_required",
            "unique",
            "upper_bound");
    /** What ?fields= may name on GET /bios (API 1.74, Ironic's index_request_query_v74). */
    private static final Set<String> BIOS_QUERY_FIELDS = Set.of(
            "allowable_values",
            "attribute_type",
            "created_at",
            "lower_bound",
            "links",
            "max_length",
            "min_length",
            "name",
            "node_uuid",
            "read_only",
            "reset_required",
            "unique",
            "updated_at",
            "upper_bound",
            "value");

    private final ApiServices services;
    private final NodeApi nodes;
    private final ManagementActions actions;
    private final BiosSettingsStore bios;

    ManagementApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.nodes = nodes;
        this.actions = new ManagementActions(services.conductor().tasks());
        this.bios = new BiosSettingsStore(services.store().database());
    }

    /**
     * Ironic's old form, {@code GET /v1/nodes/validate?node=<ident>} (or the deprecated {@code node_uuid}):
     * NodesController.validate. Mounted before {@code /v1/nodes/:node}, which would take "validate" for a name.
     */
    Future<JsonObject> validateByQuery(RoutingContext ctx) {
        Requests.allowOnly(ctx, Set.of("node", "node_uuid"));
        String node = Requests.query(ctx, "node");
        String nodeUuid = Requests.query(ctx, "node_uuid");
        if (nodeUuid != null && SqlValues.uuidOrNull(nodeUuid) == null) {
            throw AnvilException.invalid("Expected UUID for node_uuid: " + nodeUuid);
        }
        if (node != null && SqlValues.uuidOrNull(node) == null) {
            if (!Requests.version(ctx).atLeast(5)) {
                // a name needs 1.5 (allow_node_logical_names): Ironic's bare NotAcceptable
                throw AnvilException.notAcceptable("Request not acceptable.");
            }
            if (!NodeUpdates.isLogicalName(node)) {
                throw AnvilException.invalid("Expected UUID or name for node: " + node);
            }
        }
        String ident = nodeUuid != null ? nodeUuid : node;
        if (ident == null) {
            throw AnvilException.invalid("Missing argument: \"node\"");
        }
        return actions.validateInterfaces(ident);
    }

    void mount(Router r) {
        r.get("/v1/nodes/:node/validate").handler(async(ctx -> actions.validateInterfaces(ctx.pathParam("node"))));
        r.put("/v1/nodes/:node/management/inject_nmi").handler(noContent(this::injectNmi, 204));
        r.get("/v1/nodes/:node/management/indicators").handler(async(this::indicators));
        r.get("/v1/nodes/:node/management/indicators/:indicator").handler(async(this::indicatorState));
        r.put("/v1/nodes/:node/management/indicators/:indicator").handler(noContent(this::setIndicator, 204));
        r.put("/v1/nodes/:node/states/boot_mode").handler(noContent(this::bootMode, 202));
        r.put("/v1/nodes/:node/states/secure_boot").handler(noContent(this::secureBoot, 202));
        r.put("/v1/nodes/:node/states/raid").handler(noContent(this::targetRaidConfig, 204));
        r.get("/v1/nodes/:node/bios").handler(async(this::biosList));
        r.get("/v1/nodes/:node/bios/:setting").handler(async(this::biosSetting));
        r.get("/v1/nodes/:node/vendor_passthru/methods")
                .handler(async(ctx -> actions.vendorMethods(ctx.pathParam("node"))));
        r.route("/v1/nodes/:node/vendor_passthru").handler(passthru(this::nodePassthru));
        r.route("/v1/nodes/:node/vendor_passthru/:method").handler(passthru(this::nodePassthru));
        r.get("/v1/drivers/:driver/vendor_passthru/methods").handler(async(this::driverMethods));
        r.route("/v1/drivers/:driver/vendor_passthru").handler(passthru(this::driverPassthru));
        r.route("/v1/drivers/:driver/vendor_passthru/:method").handler(passthru(this::driverPassthru));
        r.get("/v1/drivers/:driver/raid/logical_disk_properties").handler(async(this::logicalDiskProperties));
    }

    // ---- management ----

    /** PUT .../management/inject_nmi (1.29): 204 once the BMC took the interrupt. */
    private Future<Void> injectNmi(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(29)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
        return nodes.load(ctx.pathParam("node")).compose(n -> actions.injectNmi(n.getString("uuid")));
    }

    /** GET .../management/indicators (1.63): every indicator as {name: "led@system", component, readonly, states}. */
    private Future<JsonObject> indicators(RoutingContext ctx) {
        checkIndicatorVersion(ctx);
        String ident = ctx.pathParam("node");
        String base = base(ctx);
        return nodes.load(ident)
                .compose(n -> actions.supportedIndicators(n.getString("uuid")))
                .map(byComponent -> {
                    JsonArray list = new JsonArray();
                    byComponent.forEach(c -> ((JsonObject) c.getValue()).forEach(i -> {
                        JsonObject fields = (JsonObject) i.getValue();
                        String unique = i.getKey() + "@" + c.getKey();
                        list.add(new JsonObject()
                                .put("name", unique)
                                .put("component", c.getKey())
                                .put("readonly", fields.getBoolean("readonly", true))
                                .put("states", fields.getJsonArray("states", new JsonArray()))
                                .put("links", Links.of(base, "nodes/" + ident + "/management/indicators/" + unique)));
                    }));
                    return new JsonObject().put("indicators", list);
                });
    }

    private Future<JsonObject> indicatorState(RoutingContext ctx) {
        checkIndicatorVersion(ctx);
        String[] at = indicatorName(ctx.pathParam("indicator"));
        return nodes.load(ctx.pathParam("node"))
                .compose(n -> actions.indicatorState(n.getString("uuid"), at[1], at[0]))
                .map(state -> new JsonObject().put("state", state));
    }

    private Future<Void> setIndicator(RoutingContext ctx) {
        checkIndicatorVersion(ctx);
        String[] at = indicatorName(ctx.pathParam("indicator"));
        JsonObject body = Requests.jsonObject(ctx);
        if (!(body.getValue("state") instanceof String state)) {
            throw AnvilException.invalid("Mandatory field missing: 'state'.");
        }
        return nodes.load(ctx.pathParam("node"))
                .compose(n -> actions.setIndicatorState(n.getString("uuid"), at[1], at[0], state));
    }

    private static void checkIndicatorVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(63)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    /** Ironic's IndicatorAtComponent: "name@component", split at the first '@'. */
    private static String[] indicatorName(String unique) {
        int at = unique.indexOf('@');
        if (at < 0) {
            throw AnvilException.invalid("Malformed indicator name \"" + unique + "\"");
        }
        return new String[] {unique.substring(0, at), unique.substring(at + 1)};
    }

    /** PUT .../states/boot_mode (1.76): 202; the change runs in a worker (node boot_mode, or last_error). */
    private Future<Void> bootMode(RoutingContext ctx) {
        checkBootModeVersion(ctx);
        Object target = Requests.jsonObject(ctx).getValue("target");
        if (!"bios".equals(target) && !"uefi".equals(target)) {
            throw AnvilException.invalid("Invalid boot mode " + pythonStr(target)
                    + " requested for node. Allowed boot modes are: bios, uefi");
        }
        String mode = (String) target;
        return stableNode(ctx)
                .compose(uuid -> actions.changeBootMode(uuid, mode).onSuccess(x -> location(ctx, uuid)));
    }

    /** PUT .../states/secure_boot (1.76): target true or false; 202 as for the boot mode. */
    private Future<Void> secureBoot(RoutingContext ctx) {
        checkBootModeVersion(ctx);
        Object target = Requests.jsonObject(ctx).getValue("target");
        Boolean enabled = target instanceof Boolean b
                ? b
                : target instanceof String s
                        ? io.anvil.config.Booleans.fromString(s).orElse(null)
                        : null;
        if (enabled == null) {
            throw AnvilException.invalid("Invalid secure_boot " + pythonStr(target)
                    + " requested for node. Allowed secure_boot states are: True, False) ");
        }
        return stableNode(ctx)
                .compose(uuid -> actions.changeSecureBoot(uuid, enabled).onSuccess(x -> location(ctx, uuid)));
    }

    private static void checkBootModeVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(76)) {
            throw AnvilException.notFound("This endpoint is supported starting with the API version 1.76");
        }
    }

    /** The node's UUID, or 409 while it is in one of Ironic's UNSTABLE_STATES. */
    private Future<String> stableNode(RoutingContext ctx) {
        return nodes.load(ctx.pathParam("node")).compose(n -> {
            String state = n.getString("provision_state");
            if (UNSTABLE_STATES.contains(state)) {
                return Future.failedFuture(AnvilException.conflict("Node is in " + state + " state. Since node is"
                        + " transitioning, the boot mode will not be set as this may interfere with ongoing changes"
                        + " and result in erroneous modification. Try again later."));
            }
            return Future.succeededFuture(n.getString("uuid"));
        });
    }

    private void location(RoutingContext ctx, String uuid) {
        ctx.response().putHeader("Location", base(ctx) + "/v1/nodes/" + uuid + "/states");
    }

    // ---- RAID ----

    /** PUT .../states/raid (1.12): the body is the target RAID configuration; {} clears it. 204. */
    private Future<Void> targetRaidConfig(RoutingContext ctx) {
        return nodes.load(ctx.pathParam("node")).compose(n -> {
            if (!Requests.version(ctx).atLeast(12)) {
                return Future.failedFuture(AnvilException.notAcceptable("Request not acceptable."));
            }
            Object body = Requests.json(ctx);
            if (!(body instanceof JsonObject config)) {
                return Future.failedFuture(
                        AnvilException.invalid(
                                "Invalid target_raid_config: the request body must be a JSON object (the RAID configuration)."));
            }
            return actions.setTargetRaidConfig(n.getString("uuid"), config);
        });
    }

    /** GET /v1/drivers/{d}/raid/logical_disk_properties (1.12): the schema's properties and descriptions. */
    private Future<JsonObject> logicalDiskProperties(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(12)) {
            throw AnvilException.notAcceptable("Request not acceptable.");
        }
        HardwareType type = driver(ctx);
        var raid = services.conductor().tasks().drivers().raidImplementation(type.defaultFor("raid"));
        // Ironic's no-raid inherits the base class's properties, so every driver answers the schema's
        return Future.succeededFuture(raid != null ? raid.logicalDiskProperties() : RaidConfig.logicalDiskProperties());
    }

    // ---- BIOS ----

    /** GET .../bios (1.40): name and value of each setting; ?detail=true / ?fields= from 1.74. */
    private Future<JsonObject> biosList(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        if (!v.atLeast(40)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("detail") && !name.equals("fields")) {
                throw AnvilException.invalid("Unknown query parameter '" + name + "'.");
            }
        }
        String detailRaw = Requests.query(ctx, "detail");
        String fieldsRaw = Requests.query(ctx, "fields");
        if (detailRaw != null && !v.atLeast(74)) {
            throw AnvilException.invalid("Invalid query parameter ?detail=" + detailRaw + " received.");
        }
        if (fieldsRaw != null && !v.atLeast(74)) {
            throw AnvilException.invalid("Invalid query parameter ?fields=" + fieldsRaw + " received.");
        }
        boolean detail = Boolean.TRUE.equals(Requests.boolQuery(ctx, "detail"));
        List<String> fields = null;
        if (fieldsRaw != null) {
            Set<String> named = new LinkedHashSet<>();
            for (String f : fieldsRaw.split(",")) {
                String t = f.trim();
                if (!BIOS_QUERY_FIELDS.contains(t)) {
                    throw AnvilException.invalid("Field(s) \"" + t + "\" are not valid");
                }
                named.add(t);
            }
            if (detail) {
                throw AnvilException.invalid("Can not specify ?detail=True and fields in the same request.");
            }
            fields = new ArrayList<>(named);
        }
        List<String> shown = detail ? BIOS_DETAIL_FIELDS : fields != null ? fields : BIOS_DEFAULT_FIELDS;
        String ident = ctx.pathParam("node");
        String base = base(ctx);
        return nodes.load(ident).compose(n -> bios.list(n.getLong("id"))).map(rows -> {
            JsonArray list = new JsonArray();
            for (JsonObject row : rows) {
                list.add(biosView(row, shown, base, ident));
            }
            return new JsonObject().put("bios", list);
        });
    }

    /** GET .../bios/{name} (1.40): {name: {...}}, with the registry fields from 1.74. */
    private Future<JsonObject> biosSetting(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        if (!v.atLeast(40)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
        if (!ctx.queryParams().isEmpty()) {
            throw AnvilException.invalid("Unknown query parameter '"
                    + ctx.queryParams().names().iterator().next() + "'.");
        }
        String name = ctx.pathParam("setting");
        String base = base(ctx);
        return nodes.load(ctx.pathParam("node")).compose(n -> bios.find(n.getLong("id"), name)
                .compose(row -> row == null
                        ? Future.failedFuture(AnvilException.notFound(
                                "Node " + n.getString("uuid") + " doesn't have a BIOS setting '" + name + "'"))
                        : Future.succeededFuture(new JsonObject()
                                .put(
                                        name,
                                        biosView(
                                                row,
                                                v.atLeast(74) ? BIOS_DETAIL_FIELDS : BIOS_DEFAULT_FIELDS,
                                                base,
                                                n.getString("uuid"))))));
    }

    /** Ironic's object_to_dict for a setting: created_at, updated_at, the fields asked, links. */
    private static JsonObject biosView(JsonObject row, List<String> fields, String base, String nodeIdent) {
        JsonObject out = new JsonObject()
                .put("created_at", row.getValue("created_at"))
                .put("updated_at", row.getValue("updated_at"));
        for (String f : fields) {
            if (f.equals("links") || f.equals("created_at") || f.equals("updated_at")) {
                continue;
            }
            if (f.equals("node_uuid")) {
                continue; // not a field of Ironic's BIOSSetting object either: accepted by the query schema only
            }
            out.put(f, row.getValue(f));
        }
        return out.put("links", Links.of(base, "nodes/" + nodeIdent + "/bios/" + row.getString("name")));
    }

    // ---- vendor passthru ----

    private Future<Passthru> nodePassthru(RoutingContext ctx, String method, JsonObject args) {
        return nodes.load(ctx.pathParam("node"))
                .compose(n -> actions.vendorPassthru(
                        n.getString("uuid"), method, ctx.request().method().name(), args))
                .map(r -> new Passthru(r.body(), r.async()));
    }

    /** No vendor interface here has driver-level methods: every call is Ironic's "No handler for method". */
    private Future<Passthru> driverPassthru(RoutingContext ctx, String method, JsonObject args) {
        driver(ctx);
        return Future.failedFuture(AnvilException.invalid("No handler for method " + method));
    }

    /** GET /v1/drivers/{d}/vendor_passthru/methods: the driver-level methods of its default vendor interface. */
    private Future<JsonObject> driverMethods(RoutingContext ctx) {
        driver(ctx);
        return Future.succeededFuture(new JsonObject());
    }

    private record Passthru(Object body, boolean async) {}

    @FunctionalInterface
    private interface PassthruCall {
        Future<Passthru> call(RoutingContext ctx, String method, JsonObject args);
    }

    /**
     * Ironic's vendor_passthru helper: {@code .../vendor_passthru/<method>} or {@code ?method=} is required ("Method not specified"); the body, if any, is
     * the method's arguments; 202 without a body for an asynchronous method, else 200 with its JSON return value.
     */
    private io.vertx.core.Handler<RoutingContext> passthru(PassthruCall call) {
        return respond(
                ctx -> {
                    // the method is the path's last segment (what python-ironicclient sends) or ?method=
                    String method =
                            ctx.pathParam("method") != null ? ctx.pathParam("method") : Requests.query(ctx, "method");
                    if (method == null || method.isEmpty()) {
                        throw AnvilException.invalid("Method not specified");
                    }
                    JsonObject args = new JsonObject();
                    HttpMethod m = ctx.request().method();
                    boolean hasBody = (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH)
                            && ctx.body().buffer() != null
                            && ctx.body().buffer().length() > 0;
                    if (hasBody) {
                        args = Requests.jsonObject(ctx);
                    }
                    return call.call(ctx, method, args);
                },
                (ctx, result) -> {
                    if (result.async()) {
                        ctx.response().setStatusCode(202).end();
                        return;
                    }
                    ctx.response()
                            .setStatusCode(200)
                            .putHeader("Content-Type", "application/json")
                            .end(Buffer.buffer(Json.encode(result.body())));
                });
    }

    // ---- helpers ----

    private HardwareType driver(RoutingContext ctx) {
        String name = ctx.pathParam("driver");
        return services.hardwareTypes()
                .get(name)
                .orElseThrow(() -> AnvilException.notFound(
                        "Could not find the following driver(s) or hardware type(s): " + name + "."));
    }

    private String base(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }

    /** Python's %s of a JSON value, as Ironic's messages print it. */
    private static String pythonStr(Object v) {
        return v == null ? "None" : v instanceof Boolean b ? (b ? "True" : "False") : String.valueOf(v);
    }
}
