package io.anvil.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of Anvil's HTTP API, served at {@code GET /v1/openapi.json} (docs/api.md#openapi). It is
 * written out here as a table rather than derived from the router, so OpenApiDocumentTest can check the two against
 * each other: a route mounted without a line below (or a line without a route) fails that test.
 */
public final class OpenApiDocument {
    /** One documented operation: method, path template with {params}, the microversion that introduced it. */
    record Op(
            String method,
            String path,
            String tag,
            String summary,
            int minVersion,
            String requestSchema,
            int status,
            String responseSchema) {}

    private static final String JSON = "application/json";

    /** Every operation, grouped by resource. Schemas name components below; null = no body. */
    static final List<Op> OPS = List.of(
            // version discovery and the operator's endpoints
            op("GET", "/", "discovery", "API root: the versions offered", 1, null, 200, "Object"),
            op("GET", "/v1", "discovery", "The v1 API: links to every resource", 1, null, 200, "Object"),
            op("GET", "/v1/", "discovery", "The v1 API (trailing slash)", 1, null, 200, "Object"),
            op("GET", "/v1/openapi.json", "discovery", "This document", 1, null, 200, "Object"),
            op(
                    "GET",
                    "/v1/auth/whoami",
                    "discovery",
                    "Anvil: the caller's user, role, project and the API's authentication mode",
                    1,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/healthcheck",
                    "operations",
                    "oslo.middleware's healthcheck (OK or DRAINING)",
                    1,
                    null,
                    200,
                    null),
            op("GET", "/health/live", "operations", "Liveness: the process serves", 1, null, 200, null),
            op("GET", "/health/ready", "operations", "Readiness: PostgreSQL, Redis, verticles up", 1, null, 200, null),
            op("GET", "/metrics", "operations", "Prometheus metrics (text exposition)", 1, null, 200, null),
            // nodes
            op("GET", "/v1/nodes", "nodes", "List nodes", 1, null, 200, "NodeCollection"),
            op("POST", "/v1/nodes", "nodes", "Create a node", 1, "Node", 201, "Node"),
            op("GET", "/v1/nodes/detail", "nodes", "List nodes with every field", 1, null, 200, "NodeCollection"),
            op("GET", "/v1/nodes/{node}", "nodes", "Show a node", 1, null, 200, "Node"),
            op("PATCH", "/v1/nodes/{node}", "nodes", "Update a node (JSON patch)", 1, "JsonPatch", 200, "Node"),
            op("DELETE", "/v1/nodes/{node}", "nodes", "Delete a node", 1, null, 204, null),
            op("GET", "/v1/nodes/{node}/validate", "nodes", "Validate a node's interfaces", 1, null, 200, "Object"),
            op(
                    "GET",
                    "/v1/nodes/{node}/console",
                    "nodes",
                    "The node's serial console as a WebSocket (upgrade; docs/console.md)",
                    1,
                    null,
                    101,
                    null),
            op(
                    "GET",
                    "/v1/nodes/validate",
                    "nodes",
                    "Validate a node's interfaces, the node named by ?node= (or the deprecated ?node_uuid=)",
                    1,
                    null,
                    200,
                    "Object"),
            op("PUT", "/v1/nodes/{node}/maintenance", "nodes", "Set maintenance", 1, "Maintenance", 202, null),
            op("DELETE", "/v1/nodes/{node}/maintenance", "nodes", "Clear maintenance", 1, null, 202, null),
            op(
                    "GET",
                    "/v1/nodes/{node}/lock",
                    "nodes",
                    "Anvil: the node lock's holder and queue",
                    1,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/v1/nodes/{node}/inventory",
                    "nodes",
                    "The node's inspected inventory",
                    InventoryApi.MIN_VERSION,
                    null,
                    200,
                    "Object"),
            op("GET", "/v1/nodes/{node}/history", "nodes", "The node's history", 78, null, 200, "Object"),
            op("GET", "/v1/nodes/{node}/history/{event}", "nodes", "One history entry", 78, null, 200, "Object"),
            // states
            op("GET", "/v1/nodes/{node}/states", "states", "The node's states", 1, null, 200, "Object"),
            op(
                    "PUT",
                    "/v1/nodes/{node}/states/provision",
                    "states",
                    "Change the provision state",
                    1,
                    "ProvisionTarget",
                    202,
                    null),
            op("PUT", "/v1/nodes/{node}/states/power", "states", "Change the power state", 1, "PowerTarget", 202, null),
            op("PUT", "/v1/nodes/{node}/states/boot_mode", "states", "Change the boot mode", 76, "Target", 202, null),
            op("PUT", "/v1/nodes/{node}/states/secure_boot", "states", "Change secure boot", 76, "Target", 202, null),
            op(
                    "PUT",
                    "/v1/nodes/{node}/states/raid",
                    "states",
                    "Set the target RAID configuration",
                    12,
                    "RaidConfig",
                    204,
                    null),
            op("GET", "/v1/nodes/{node}/states/console", "states", "The console's state", 1, null, 200, "Object"),
            op(
                    "PUT",
                    "/v1/nodes/{node}/states/console",
                    "states",
                    "Enable or disable the console",
                    1,
                    "Console",
                    202,
                    null),
            // management
            op(
                    "PUT",
                    "/v1/nodes/{node}/management/boot_device",
                    "management",
                    "Set the boot device",
                    1,
                    "BootDevice",
                    204,
                    null),
            op(
                    "GET",
                    "/v1/nodes/{node}/management/boot_device",
                    "management",
                    "The boot device",
                    1,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/v1/nodes/{node}/management/boot_device/supported",
                    "management",
                    "Supported boot devices",
                    1,
                    null,
                    200,
                    "Object"),
            op("PUT", "/v1/nodes/{node}/management/inject_nmi", "management", "Inject an NMI", 29, "Object", 204, null),
            op(
                    "GET",
                    "/v1/nodes/{node}/management/indicators",
                    "management",
                    "List indicators",
                    63,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/v1/nodes/{node}/management/indicators/{indicator}",
                    "management",
                    "An indicator's state",
                    63,
                    null,
                    200,
                    "Object"),
            op(
                    "PUT",
                    "/v1/nodes/{node}/management/indicators/{indicator}",
                    "management",
                    "Set an indicator",
                    63,
                    "Object",
                    204,
                    null),
            op("GET", "/v1/nodes/{node}/bios", "management", "List BIOS settings", 40, null, 200, "Object"),
            op("GET", "/v1/nodes/{node}/bios/{setting}", "management", "Show a BIOS setting", 40, null, 200, "Object"),
            // vendor passthru: any method, as the driver's method declares
            op(
                    "GET",
                    "/v1/nodes/{node}/vendor_passthru/methods",
                    "passthru",
                    "The node's vendor methods",
                    1,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/v1/drivers/{driver}/vendor_passthru/methods",
                    "passthru",
                    "The driver's vendor methods",
                    1,
                    null,
                    200,
                    "Object"),
            // traits and VIFs
            op("GET", "/v1/nodes/{node}/traits", "traits", "List the node's traits", 37, null, 200, "Traits"),
            op("PUT", "/v1/nodes/{node}/traits", "traits", "Replace the node's traits", 37, "Traits", 204, null),
            op("DELETE", "/v1/nodes/{node}/traits", "traits", "Remove every trait", 37, null, 204, null),
            op("PUT", "/v1/nodes/{node}/traits/{trait}", "traits", "Add a trait", 37, null, 204, null),
            op("DELETE", "/v1/nodes/{node}/traits/{trait}", "traits", "Remove a trait", 37, null, 204, null),
            op("GET", "/v1/nodes/{node}/vifs", "vifs", "List the node's VIFs", 28, null, 200, "Object"),
            op("POST", "/v1/nodes/{node}/vifs", "vifs", "Attach a VIF", 28, "Vif", 204, null),
            op("DELETE", "/v1/nodes/{node}/vifs/{vif}", "vifs", "Detach a VIF", 28, null, 204, null),
            // ports, portgroups, volume
            op("GET", "/v1/ports", "ports", "List ports", 1, null, 200, "PortCollection"),
            op("POST", "/v1/ports", "ports", "Create a port", 1, "Port", 201, "Port"),
            op("GET", "/v1/ports/detail", "ports", "List ports with every field", 1, null, 200, "PortCollection"),
            op("GET", "/v1/ports/{id}", "ports", "Show a port", 1, null, 200, "Port"),
            op("PATCH", "/v1/ports/{id}", "ports", "Update a port", 1, "JsonPatch", 200, "Port"),
            op("DELETE", "/v1/ports/{id}", "ports", "Delete a port", 1, null, 204, null),
            op("GET", "/v1/nodes/{node}/ports", "ports", "List a node's ports", 8, null, 200, "PortCollection"),
            op(
                    "GET",
                    "/v1/nodes/{node}/ports/detail",
                    "ports",
                    "List a node's ports, every field",
                    8,
                    null,
                    200,
                    "PortCollection"),
            op("GET", "/v1/portgroups", "portgroups", "List portgroups", 23, null, 200, "PortgroupCollection"),
            op("POST", "/v1/portgroups", "portgroups", "Create a portgroup", 23, "Portgroup", 201, "Portgroup"),
            op(
                    "GET",
                    "/v1/portgroups/detail",
                    "portgroups",
                    "List portgroups with every field",
                    23,
                    null,
                    200,
                    "PortgroupCollection"),
            op("GET", "/v1/portgroups/{id}", "portgroups", "Show a portgroup", 23, null, 200, "Portgroup"),
            op("PATCH", "/v1/portgroups/{id}", "portgroups", "Update a portgroup", 23, "JsonPatch", 200, "Portgroup"),
            op("DELETE", "/v1/portgroups/{id}", "portgroups", "Delete a portgroup", 23, null, 204, null),
            op(
                    "GET",
                    "/v1/portgroups/{pg}/ports",
                    "portgroups",
                    "List a portgroup's ports",
                    24,
                    null,
                    200,
                    "PortCollection"),
            op(
                    "GET",
                    "/v1/portgroups/{pg}/ports/detail",
                    "portgroups",
                    "List a portgroup's ports, every field",
                    24,
                    null,
                    200,
                    "PortCollection"),
            op(
                    "GET",
                    "/v1/nodes/{node}/portgroups",
                    "portgroups",
                    "List a node's portgroups",
                    24,
                    null,
                    200,
                    "PortgroupCollection"),
            op(
                    "GET",
                    "/v1/nodes/{node}/portgroups/detail",
                    "portgroups",
                    "List a node's portgroups, every field",
                    24,
                    null,
                    200,
                    "PortgroupCollection"),
            op("GET", "/v1/volume", "volume", "The volume resources' links", 32, null, 200, "Object"),
            op("GET", "/v1/nodes/{node}/volume", "volume", "A node's volume resources' links", 32, null, 200, "Object"),
            // chassis
            op("GET", "/v1/chassis", "chassis", "List chassis", 1, null, 200, "ChassisCollection"),
            op("POST", "/v1/chassis", "chassis", "Create a chassis", 1, "Chassis", 201, "Chassis"),
            op(
                    "GET",
                    "/v1/chassis/detail",
                    "chassis",
                    "List chassis with every field",
                    1,
                    null,
                    200,
                    "ChassisCollection"),
            op("GET", "/v1/chassis/{id}", "chassis", "Show a chassis", 1, null, 200, "Chassis"),
            op("PATCH", "/v1/chassis/{id}", "chassis", "Update a chassis", 1, "JsonPatch", 200, "Chassis"),
            op("DELETE", "/v1/chassis/{id}", "chassis", "Delete a chassis", 1, null, 204, null),
            op("GET", "/v1/chassis/{id}/nodes", "chassis", "List a chassis' nodes", 1, null, 200, "NodeCollection"),
            op(
                    "GET",
                    "/v1/chassis/{id}/nodes/detail",
                    "chassis",
                    "List a chassis' nodes, every field",
                    1,
                    null,
                    200,
                    "NodeCollection"),
            // allocations and deploy templates
            op("GET", "/v1/allocations", "allocations", "List allocations", 52, null, 200, "AllocationCollection"),
            op("POST", "/v1/allocations", "allocations", "Create an allocation", 52, "Allocation", 201, "Allocation"),
            op("GET", "/v1/allocations/{id}", "allocations", "Show an allocation", 52, null, 200, "Allocation"),
            op(
                    "PATCH",
                    "/v1/allocations/{id}",
                    "allocations",
                    "Update an allocation",
                    57,
                    "JsonPatch",
                    200,
                    "Allocation"),
            op("DELETE", "/v1/allocations/{id}", "allocations", "Delete an allocation", 52, null, 204, null),
            op("GET", "/v1/nodes/{node}/allocation", "allocations", "A node's allocation", 52, null, 200, "Allocation"),
            op(
                    "DELETE",
                    "/v1/nodes/{node}/allocation",
                    "allocations",
                    "Delete a node's allocation",
                    52,
                    null,
                    204,
                    null),
            op(
                    "GET",
                    "/v1/deploy_templates",
                    "deploy_templates",
                    "List deploy templates",
                    55,
                    null,
                    200,
                    "DeployTemplateCollection"),
            op(
                    "POST",
                    "/v1/deploy_templates",
                    "deploy_templates",
                    "Create a deploy template",
                    55,
                    "DeployTemplate",
                    201,
                    "DeployTemplate"),
            op(
                    "GET",
                    "/v1/deploy_templates/{id}",
                    "deploy_templates",
                    "Show a deploy template",
                    55,
                    null,
                    200,
                    "DeployTemplate"),
            op(
                    "PATCH",
                    "/v1/deploy_templates/{id}",
                    "deploy_templates",
                    "Update a deploy template",
                    55,
                    "JsonPatch",
                    200,
                    "DeployTemplate"),
            op(
                    "DELETE",
                    "/v1/deploy_templates/{id}",
                    "deploy_templates",
                    "Delete a deploy template",
                    55,
                    null,
                    204,
                    null),
            // drivers and conductors
            op("GET", "/v1/drivers", "drivers", "List drivers (hardware types)", 1, null, 200, "Object"),
            op("GET", "/v1/drivers/{driver}", "drivers", "Show a driver", 1, null, 200, "Object"),
            op(
                    "GET",
                    "/v1/drivers/{driver}/properties",
                    "drivers",
                    "A driver's driver_info properties",
                    1,
                    null,
                    200,
                    "Object"),
            op(
                    "GET",
                    "/v1/drivers/{driver}/raid/logical_disk_properties",
                    "drivers",
                    "A driver's RAID logical disk properties",
                    12,
                    null,
                    200,
                    "Object"),
            op("GET", "/v1/conductors", "conductors", "List conductors", 49, null, 200, "Object"),
            op("GET", "/v1/conductors/{hostname}", "conductors", "Show a conductor", 49, null, 200, "Object"),
            // the event feed (docs/events.md): a JSON page, or an SSE stream, or a WebSocket upgrade
            op("GET", "/v1/events", "events", "Anvil: the event feed (page, SSE or WebSocket)", 1, null, 200, "Object"),
            // the ramdisk agent's endpoints (docs/agent.md)
            op("GET", "/v1/lookup", "agent", "Look up a node by MAC or UUID", 22, null, 200, "Object"),
            op("POST", "/v1/heartbeat/{node_ident}", "agent", "An agent's heartbeat", 22, "Heartbeat", 202, null),
            op(
                    "POST",
                    "/v1/continue_inspection",
                    "agent",
                    "Inspection data from the ramdisk",
                    1,
                    "Object",
                    200,
                    "Object"));

    /** Vendor passthru routes answer every method the driver's method declares (Ironic's VendorPassthruController). */
    static final List<String> PASSTHRU_PATHS = List.of(
            "/v1/nodes/{node}/vendor_passthru",
            "/v1/nodes/{node}/vendor_passthru/{method}",
            "/v1/drivers/{driver}/vendor_passthru",
            "/v1/drivers/{driver}/vendor_passthru/{method}");

    static final List<String> PASSTHRU_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** Volume connectors and targets share one shape of routes. */
    private static final String[][] VOLUME = {{"connectors", "VolumeConnector"}, {"targets", "VolumeTarget"}};

    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static Buffer encoded;

    private OpenApiDocument() {}

    private static Op op(
            String method,
            String path,
            String tag,
            String summary,
            int minVersion,
            String request,
            int status,
            String response) {
        return new Op(method, path, tag, summary, minVersion, request, status, response);
    }

    /** Every documented operation (the table, the volume resources and the passthru methods). */
    static List<Op> operations() {
        List<Op> all = new ArrayList<>(OPS);
        for (String[] v : VOLUME) {
            String coll = "/v1/volume/" + v[0];
            String schema = v[1];
            String what = "volume " + v[0].substring(0, v[0].length() - 1);
            all.add(op("GET", coll, "volume", "List " + what + "s", 32, null, 200, schema + "Collection"));
            all.add(op(
                    "GET",
                    coll + "/detail",
                    "volume",
                    "List " + what + "s, every field",
                    32,
                    null,
                    200,
                    schema + "Collection"));
            all.add(op("POST", coll, "volume", "Create a " + what, 32, schema, 201, schema));
            all.add(op("GET", coll + "/{id}", "volume", "Show a " + what, 32, null, 200, schema));
            all.add(op("PATCH", coll + "/{id}", "volume", "Update a " + what, 32, "JsonPatch", 200, schema));
            all.add(op("DELETE", coll + "/{id}", "volume", "Delete a " + what, 32, null, 204, null));
            all.add(op(
                    "GET",
                    "/v1/nodes/{node}/volume/" + v[0],
                    "volume",
                    "List a node's " + what + "s",
                    32,
                    null,
                    200,
                    schema + "Collection"));
            all.add(op(
                    "GET",
                    "/v1/nodes/{node}/volume/" + v[0] + "/detail",
                    "volume",
                    "List a node's " + what + "s, every field",
                    32,
                    null,
                    200,
                    schema + "Collection"));
        }
        for (String path : PASSTHRU_PATHS) {
            for (String m : PASSTHRU_METHODS) {
                all.add(op(
                        m,
                        path,
                        "passthru",
                        "Call a vendor passthru method (?method=NAME)",
                        1,
                        m.equals("GET") || m.equals("DELETE") ? null : "Object",
                        200,
                        "Object"));
            }
        }
        return all;
    }

    /** The document, encoded once. */
    static synchronized Buffer encoded() {
        if (encoded == null) {
            encoded = build().toBuffer();
        }
        return encoded;
    }

    /** The document as JSON. */
    public static JsonObject build() {
        JsonObject paths = new JsonObject();
        for (Op o : operations()) {
            JsonObject item = paths.getJsonObject(o.path());
            if (item == null) {
                item = new JsonObject();
                paths.put(o.path(), item);
            }
            item.put(o.method().toLowerCase(java.util.Locale.ROOT), operation(o));
        }
        return new JsonObject()
                .put("openapi", "3.1.0")
                .put(
                        "info",
                        new JsonObject()
                                .put("title", "Anvil: OpenStack Ironic's v1 REST API")
                                .put("version", ApiVersion.MAX.toString())
                                .put(
                                        "description",
                                        "Ironic's bare metal API (microversions " + ApiVersion.MIN + " to "
                                                + ApiVersion.MAX
                                                + ", negotiated with the X-OpenStack-Ironic-API-Version header) "
                                                + "plus Anvil's extensions (node lock, event feed, health, metrics). Every error "
                                                + "has Ironic's body: error_message, a JSON-encoded string holding faultcode, "
                                                + "faultstring and debuginfo. docs/api.md in Anvil's repository describes each "
                                                + "resource."))
                .put("paths", paths)
                .put("components", components());
    }

    private static JsonObject operation(Op o) {
        JsonArray params = new JsonArray().add(ref("parameters", "Microversion"));
        Matcher m = PARAM.matcher(o.path());
        while (m.find()) {
            params.add(new JsonObject()
                    .put("name", m.group(1))
                    .put("in", "path")
                    .put("required", true)
                    .put("description", paramDescription(m.group(1)))
                    .put("schema", new JsonObject().put("type", "string")));
        }
        JsonObject responses = new JsonObject();
        JsonObject ok = new JsonObject().put("description", o.status() == 202 ? "Accepted" : "Success");
        if (o.responseSchema() != null) {
            ok.put("content", content(JSON, ref("schemas", o.responseSchema())));
        } else if (o.status() == 200) {
            ok.put(
                    "content",
                    new JsonObject()
                            .put("text/plain", new JsonObject().put("schema", new JsonObject().put("type", "string"))));
        }
        responses.put(String.valueOf(o.status()), ok);
        boolean write = !o.method().equals("GET");
        List<String> errors = new ArrayList<>(List.of("400", "404", "406", "429"));
        if (write) {
            errors.addAll(List.of("405", "409", "503"));
        }
        if (o.requestSchema() != null) {
            errors.addAll(List.of("413", "415"));
        }
        for (String status : errors) {
            responses.put(status, ref("responses", "Error"));
        }
        JsonObject op = new JsonObject()
                .put("operationId", operationId(o))
                .put("summary", o.summary())
                .put("tags", new JsonArray().add(o.tag()))
                .put("parameters", params)
                .put("responses", responses)
                .put("x-openstack-ironic-min-version", "1." + o.minVersion());
        if (o.requestSchema() != null) {
            op.put(
                    "requestBody",
                    new JsonObject()
                            .put("required", true)
                            .put("content", content(JSON, ref("schemas", o.requestSchema()))));
        }
        return op;
    }

    private static String operationId(Op o) {
        String id = o.method().toLowerCase(java.util.Locale.ROOT) + o.path().replaceAll("[^A-Za-z0-9]+", "_");
        id = id.endsWith("_") ? id.substring(0, id.length() - 1) : id;
        // "/v1" and "/v1/" are two routes: the trailing slash must not make their ids collide
        return o.path().length() > 1 && o.path().endsWith("/") ? id + "_slash" : id;
    }

    private static String paramDescription(String name) {
        return switch (name) {
            case "node", "node_ident" -> "A node's UUID or name";
            case "driver" -> "A driver (hardware type) name";
            case "hostname" -> "A conductor's hostname";
            case "trait" -> "A trait (CUSTOM_* or a standard trait)";
            case "vif" -> "A VIF id";
            case "method" -> "A vendor passthru method";
            case "event" -> "A history entry's UUID";
            case "pg" -> "A portgroup's UUID or name";
            default -> "The resource's UUID (or name, where it has one)";
        };
    }

    private static JsonObject ref(String section, String name) {
        return new JsonObject().put("$ref", "#/components/" + section + "/" + name);
    }

    private static JsonObject content(String type, JsonObject schema) {
        return new JsonObject().put(type, new JsonObject().put("schema", schema));
    }

    private static JsonObject components() {
        JsonObject schemas = new JsonObject()
                .put("Object", new JsonObject().put("type", "object"))
                .put(
                        "Error",
                        new JsonObject()
                                .put("type", "object")
                                .put(
                                        "description",
                                        "Ironic's error body: error_message is a JSON-encoded string of "
                                                + "{\"faultcode\": \"Client\"|\"Server\", \"faultstring\": ..., \"debuginfo\": null}")
                                .put("required", new JsonArray().add("error_message"))
                                .put("properties", new JsonObject().put("error_message", str())))
                .put(
                        "JsonPatch",
                        new JsonObject()
                                .put("type", "array")
                                .put("description", "RFC 6902 JSON patch")
                                .put(
                                        "items",
                                        new JsonObject()
                                                .put("type", "object")
                                                .put(
                                                        "required",
                                                        new JsonArray()
                                                                .add("op")
                                                                .add("path"))
                                                .put(
                                                        "properties",
                                                        new JsonObject()
                                                                .put(
                                                                        "op",
                                                                        new JsonObject()
                                                                                .put(
                                                                                        "enum",
                                                                                        new JsonArray()
                                                                                                .add("add")
                                                                                                .add("remove")
                                                                                                .add("replace")
                                                                                                .add("move")
                                                                                                .add("copy")
                                                                                                .add("test")))
                                                                .put("path", str())
                                                                .put("from", str())
                                                                .put("value", new JsonObject()))))
                .put(
                        "Links",
                        new JsonObject()
                                .put("type", "array")
                                .put(
                                        "items",
                                        new JsonObject()
                                                .put("type", "object")
                                                .put(
                                                        "properties",
                                                        new JsonObject()
                                                                .put("href", str())
                                                                .put("rel", str()))));
        resource(
                schemas,
                "Node",
                "nodes",
                "uuid:s name:s driver:s driver_info:o properties:o extra:o instance_uuid:s instance_info:o "
                        + "chassis_uuid:s power_state:s target_power_state:s provision_state:s "
                        + "target_provision_state:s maintenance:b maintenance_reason:s last_error:s "
                        + "resource_class:s traits:a owner:s lessee:s conductor_group:s conductor:s "
                        + "boot_interface:s deploy_interface:s management_interface:s power_interface:s "
                        + "raid_interface:s network_interface:s target_raid_config:o raid_config:o "
                        + "automated_clean:b protected:b protected_reason:s retired:b retired_reason:s "
                        + "description:s allocation_uuid:s created_at:s updated_at:s links:l");
        resource(
                schemas,
                "Port",
                "ports",
                "uuid:s address:s node_uuid:s portgroup_uuid:s local_link_connection:o pxe_enabled:b "
                        + "physical_network:s extra:o is_smartnic:b name:s internal_info:o created_at:s "
                        + "updated_at:s links:l");
        resource(
                schemas,
                "Portgroup",
                "portgroups",
                "uuid:s address:s name:s node_uuid:s mode:s properties:o standalone_ports_supported:b extra:o "
                        + "internal_info:o created_at:s updated_at:s links:l");
        resource(schemas, "Chassis", "chassis", "uuid:s description:s extra:o created_at:s updated_at:s links:l");
        resource(
                schemas,
                "Allocation",
                "allocations",
                "uuid:s name:s resource_class:s traits:a candidate_nodes:a node_uuid:s state:s last_error:s "
                        + "owner:s extra:o created_at:s updated_at:s links:l");
        resource(
                schemas,
                "DeployTemplate",
                "deploy_templates",
                "uuid:s name:s steps:a extra:o created_at:s updated_at:s links:l");
        resource(
                schemas,
                "VolumeConnector",
                "connectors",
                "uuid:s node_uuid:s type:s connector_id:s extra:o created_at:s updated_at:s links:l");
        resource(
                schemas,
                "VolumeTarget",
                "targets",
                "uuid:s node_uuid:s volume_type:s properties:o boot_index:i volume_id:s extra:o created_at:s "
                        + "updated_at:s links:l");
        schemas.put(
                "ProvisionTarget",
                body(
                        "target:s configdrive:x clean_steps:a deploy_steps:a "
                                + "service_steps:a rescue_password:s disable_ramdisk:b",
                        "target"));
        schemas.put("PowerTarget", body("target:s timeout:i", "target"));
        schemas.put("Target", body("target:x", "target"));
        schemas.put("RaidConfig", body("logical_disks:a", "logical_disks"));
        schemas.put("Console", body("enabled:b", "enabled"));
        schemas.put("BootDevice", body("boot_device:s persistent:b", "boot_device"));
        schemas.put("Maintenance", body("reason:s", null));
        schemas.put("Traits", body("traits:a", "traits"));
        schemas.put("Vif", body("id:s", "id"));
        schemas.put(
                "Heartbeat",
                body(
                        "callback_url:s agent_version:s agent_token:s agent_verify_ca:s "
                                + "agent_status:s agent_status_message:s",
                        null));
        JsonObject responses = new JsonObject()
                .put(
                        "Error",
                        new JsonObject()
                                .put("description", "An error, in Ironic's body (429 carries Retry-After in seconds)")
                                .put("content", content(JSON, ref("schemas", "Error"))));
        JsonObject parameters = new JsonObject()
                .put(
                        "Microversion",
                        new JsonObject()
                                .put("name", ApiVersion.HEADER)
                                .put("in", "header")
                                .put("required", false)
                                .put(
                                        "description",
                                        "The API microversion (" + ApiVersion.MIN + " to " + ApiVersion.MAX
                                                + ", or 'latest'); absent = " + ApiVersion.MIN
                                                + "; outside the range = 406")
                                .put("schema", new JsonObject().put("type", "string")));
        return new JsonObject()
                .put("schemas", schemas)
                .put("responses", responses)
                .put("parameters", parameters);
    }

    /** A resource schema and its collection ({@code {"<key>": [...], "next": url}}). */
    private static void resource(JsonObject schemas, String name, String collectionKey, String fields) {
        schemas.put(name, body(fields, null));
        schemas.put(
                name + "Collection",
                new JsonObject()
                        .put("type", "object")
                        .put(
                                "properties",
                                new JsonObject()
                                        .put(
                                                collectionKey,
                                                new JsonObject()
                                                        .put("type", "array")
                                                        .put("items", ref("schemas", name)))
                                        .put("next", str())));
    }

    /** An object schema from "name:t" pairs (s string, b boolean, i integer, o object, a array, l links, x any). */
    private static JsonObject body(String fields, String required) {
        JsonObject props = new JsonObject();
        for (String f : fields.split(" ")) {
            String[] nt = f.split(":");
            JsonObject type =
                    switch (nt[1]) {
                        case "s" ->
                            new JsonObject()
                                    .put("type", new JsonArray().add("string").add("null"));
                        case "b" -> new JsonObject().put("type", "boolean");
                        case "i" ->
                            new JsonObject()
                                    .put("type", new JsonArray().add("integer").add("null"));
                        case "o" ->
                            new JsonObject()
                                    .put("type", new JsonArray().add("object").add("null"));
                        case "a" -> new JsonObject().put("type", "array");
                        case "l" -> ref("schemas", "Links");
                        default -> new JsonObject();
                    };
            props.put(nt[0], type);
        }
        JsonObject schema = new JsonObject().put("type", "object").put("properties", props);
        if (required != null) {
            schema.put("required", new JsonArray().add(required));
        }
        return schema;
    }

    private static JsonObject str() {
        return new JsonObject().put("type", "string");
    }
}
