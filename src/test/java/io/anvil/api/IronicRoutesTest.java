package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of Ironic's API reference (api-ref/source/baremetal-api-v1-*.inc in Ironic's repository) up to the
 * advertised microversion is served: asked at that microversion, with resources that exist, no route answers the
 * router's "no such route" 404 or a 405. A route added to Ironic's reference below {@link ApiVersion#MAX} and missing
 * here is a defect of this table; docs/api.md lists each resource with its microversion.
 */
class IronicRoutesTest extends ApiTestBase {
    /** The router's answer to a path no route serves (ApiErrors' default 404 message). */
    private static final String NO_ROUTE = "The resource could not be found.";

    /**
     * Ironic's routes with the microversion that introduced them (1.1 for the base API), as its API reference lists
     * them. {node}, {port}, … are replaced by fixtures created in {@link #fixtures()}.
     */
    static final List<String[]> ROUTES = List.of(
            r("GET", "/", 1),
            r("GET", "/v1/", 1),
            // nodes
            r("POST", "/v1/nodes", 1),
            r("GET", "/v1/nodes", 1),
            r("GET", "/v1/nodes/detail", 1),
            r("GET", "/v1/nodes/{node}", 1),
            r("PATCH", "/v1/nodes/{node}", 1),
            r("DELETE", "/v1/nodes/{spare}", 1),
            // node management and states
            r("GET", "/v1/nodes/{node}/validate", 1),
            r("GET", "/v1/nodes/validate?node={node}", 1),
            r("PUT", "/v1/nodes/{node}/maintenance", 1),
            r("DELETE", "/v1/nodes/{node}/maintenance", 1),
            r("PUT", "/v1/nodes/{node}/management/boot_device", 1),
            r("GET", "/v1/nodes/{node}/management/boot_device", 1),
            r("GET", "/v1/nodes/{node}/management/boot_device/supported", 1),
            r("PUT", "/v1/nodes/{node}/management/inject_nmi", 29),
            r("GET", "/v1/nodes/{node}/states", 1),
            r("PUT", "/v1/nodes/{node}/states/boot_mode", 76),
            r("PUT", "/v1/nodes/{node}/states/secure_boot", 76),
            r("PUT", "/v1/nodes/{node}/states/power", 1),
            r("PUT", "/v1/nodes/{node}/states/provision", 1),
            r("PUT", "/v1/nodes/{node}/states/raid", 12),
            r("GET", "/v1/nodes/{node}/states/console", 1),
            r("PUT", "/v1/nodes/{node}/states/console", 1),
            // indicators
            r("GET", "/v1/nodes/{node}/management/indicators", 63),
            r("GET", "/v1/nodes/{node}/management/indicators/{indicator}", 63),
            r("PUT", "/v1/nodes/{node}/management/indicators/{indicator}", 63),
            // vendor passthru
            r("GET", "/v1/nodes/{node}/vendor_passthru/methods", 1),
            r("POST", "/v1/nodes/{node}/vendor_passthru?method={node_vendor_method}", 1),
            r("GET", "/v1/drivers/fake-hardware/vendor_passthru/methods", 1),
            r("POST", "/v1/drivers/fake-hardware/vendor_passthru?method={driver_vendor_method}", 1),
            // BIOS, traits, VIFs, allocation, history, inventory, volume of a node
            r("GET", "/v1/nodes/{node}/bios", 40),
            r("GET", "/v1/nodes/{node}/bios?detail=True", 74),
            r("GET", "/v1/nodes/{node}/bios/{bios_setting}", 40),
            r("GET", "/v1/nodes/{node}/traits", 37),
            r("PUT", "/v1/nodes/{node}/traits", 37),
            r("PUT", "/v1/nodes/{node}/traits/CUSTOM_ROUTE_TEST", 37),
            r("DELETE", "/v1/nodes/{node}/traits/CUSTOM_ROUTE_TEST", 37),
            r("DELETE", "/v1/nodes/{node}/traits", 37),
            r("GET", "/v1/nodes/{node}/vifs", 28),
            r("POST", "/v1/nodes/{node}/vifs", 28),
            r("DELETE", "/v1/nodes/{node}/vifs/{vif}", 28),
            r("GET", "/v1/nodes/{allocated}/allocation", 52),
            r("DELETE", "/v1/nodes/{allocated}/allocation", 52),
            r("GET", "/v1/nodes/{node}/history", 78),
            r("GET", "/v1/nodes/{node}/history/{history_event}", 78),
            r("GET", "/v1/nodes/{node}/ports", 8),
            r("GET", "/v1/nodes/{node}/ports/detail", 8),
            r("GET", "/v1/nodes/{node}/portgroups", 24),
            r("GET", "/v1/nodes/{node}/portgroups/detail", 24),
            r("GET", "/v1/nodes/{node}/volume", 32),
            r("GET", "/v1/nodes/{node}/volume/connectors", 32),
            r("GET", "/v1/nodes/{node}/volume/targets", 32),
            // ports and portgroups
            r("GET", "/v1/ports", 1),
            r("POST", "/v1/ports", 1),
            r("GET", "/v1/ports/detail", 1),
            r("GET", "/v1/ports/{port}", 1),
            r("PATCH", "/v1/ports/{port}", 1),
            r("DELETE", "/v1/ports/{spare_port}", 1),
            r("GET", "/v1/portgroups", 23),
            r("POST", "/v1/portgroups", 23),
            r("GET", "/v1/portgroups/detail", 23),
            r("GET", "/v1/portgroups/{portgroup}", 23),
            r("PATCH", "/v1/portgroups/{portgroup}", 23),
            r("DELETE", "/v1/portgroups/{spare_portgroup}", 23),
            r("GET", "/v1/portgroups/{portgroup}/ports", 24),
            r("GET", "/v1/portgroups/{portgroup}/ports/detail", 24),
            // volume
            r("GET", "/v1/volume", 32),
            r("GET", "/v1/volume/connectors", 32),
            r("POST", "/v1/volume/connectors", 32),
            r("GET", "/v1/volume/connectors/{connector}", 32),
            r("PATCH", "/v1/volume/connectors/{connector}", 32),
            r("DELETE", "/v1/volume/connectors/{connector}", 32),
            r("GET", "/v1/volume/targets", 32),
            r("POST", "/v1/volume/targets", 32),
            r("GET", "/v1/volume/targets/{target}", 32),
            r("PATCH", "/v1/volume/targets/{target}", 32),
            r("DELETE", "/v1/volume/targets/{target}", 32),
            // chassis
            r("GET", "/v1/chassis", 1),
            r("POST", "/v1/chassis", 1),
            r("GET", "/v1/chassis/detail", 1),
            r("GET", "/v1/chassis/{chassis}", 1),
            r("PATCH", "/v1/chassis/{chassis}", 1),
            r("DELETE", "/v1/chassis/{spare_chassis}", 1),
            r("GET", "/v1/chassis/{chassis}/nodes", 1),
            r("GET", "/v1/chassis/{chassis}/nodes/detail", 1),
            // allocations
            r("POST", "/v1/allocations", 52),
            r("GET", "/v1/allocations", 52),
            r("GET", "/v1/allocations/{allocation}", 52),
            r("PATCH", "/v1/allocations/{allocation}", 57),
            r("DELETE", "/v1/allocations/{spare_allocation}", 52),
            // deploy templates
            r("POST", "/v1/deploy_templates", 55),
            r("GET", "/v1/deploy_templates", 55),
            r("GET", "/v1/deploy_templates/{template}", 55),
            r("PATCH", "/v1/deploy_templates/{template}", 55),
            r("DELETE", "/v1/deploy_templates/{spare_template}", 55),
            // drivers and conductors
            r("GET", "/v1/drivers", 1),
            r("GET", "/v1/drivers/fake-hardware", 1),
            r("GET", "/v1/drivers/fake-hardware/properties", 1),
            r("GET", "/v1/drivers/fake-hardware/raid/logical_disk_properties", 12),
            r("GET", "/v1/conductors", 49),
            r("GET", "/v1/conductors/{conductor}", 49),
            // the agent's endpoints
            r("GET", "/v1/lookup?node_uuid={node}", 22),
            r("POST", "/v1/heartbeat/{node}", 22));

    private final Map<String, String> fixture = new java.util.HashMap<>();

    private static String[] r(String method, String path, int minor) {
        return new String[] {method, path, String.valueOf(minor)};
    }

    @BeforeAll
    void fixtures() {
        String node = createNode("routes-node").getString("uuid");
        fixture.put("node", node);
        fixture.put("spare", createNode("routes-spare").getString("uuid"));
        String pg = post(
                        "/v1/portgroups",
                        new JsonObject().put("node_uuid", node).put("address", "52:54:00:aa:00:01"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        fixture.put("portgroup", pg);
        fixture.put(
                "spare_portgroup",
                post("/v1/portgroups", new JsonObject().put("node_uuid", node))
                        .v(LATEST)
                        .expect(201)
                        .json()
                        .getString("uuid"));
        fixture.put("port", port(node, "52:54:00:aa:00:02"));
        fixture.put("spare_port", port(node, "52:54:00:aa:00:03"));
        fixture.put(
                "connector",
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", node)
                                        .put("type", "iqn")
                                        .put("connector_id", "iqn.2026-12.io.anvil:routes"))
                        .v(LATEST)
                        .expect(201)
                        .json()
                        .getString("uuid"));
        fixture.put(
                "target",
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", node)
                                        .put("volume_type", "iscsi")
                                        .put("boot_index", 0)
                                        .put("volume_id", "routes-volume"))
                        .v(LATEST)
                        .expect(201)
                        .json()
                        .getString("uuid"));
        fixture.put("chassis", chassis());
        fixture.put("spare_chassis", chassis());
        patch("/v1/nodes/" + node, patchOps(op("add", "/chassis_uuid", fixture.get("chassis"))))
                .v(LATEST)
                .expect(200);
        fixture.put("template", template("CUSTOM_ROUTES_ONE"));
        fixture.put("spare_template", template("CUSTOM_ROUTES_TWO"));
        fixture.put("vif", "vif-" + UUID.randomUUID());
        post("/v1/nodes/" + node + "/vifs", new JsonObject().put("id", fixture.get("vif")))
                .v(LATEST)
                .expect(204);

        // an available node for the allocations (fake-hardware goes manageable -> available without cleaning)
        String allocated = available("routes-allocated");
        fixture.put("allocated", allocated);
        fixture.put("allocation", allocation(allocated));
        fixture.put("spare_allocation", allocation(available("routes-spare-allocated")));

        JsonObject bios =
                get("/v1/nodes/" + node + "/bios").v(LATEST).expect(200).json();
        JsonArray settings = bios.getJsonArray("bios");
        fixture.put(
                "bios_setting",
                settings.isEmpty() ? "none" : settings.getJsonObject(0).getString("name"));
        JsonArray indicators = get("/v1/nodes/" + node + "/management/indicators")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("components", new JsonArray());
        fixture.put("indicator", firstIndicator(node, indicators));
        JsonObject methods = get("/v1/nodes/" + node + "/vendor_passthru/methods")
                .v(LATEST)
                .expect(200)
                .json();
        fixture.put(
                "node_vendor_method", methods.fieldNames().stream().findFirst().orElse("none"));
        JsonObject driverMethods = get("/v1/drivers/fake-hardware/vendor_passthru/methods")
                .v(LATEST)
                .expect(200)
                .json();
        fixture.put(
                "driver_vendor_method",
                driverMethods.fieldNames().stream().findFirst().orElse("none"));
        fixture.put("conductor", anvil.registry().hostname());
        sql(
                "INSERT INTO node_history (uuid, node_id, event_type, severity, event)"
                        + " SELECT ?::uuid, id, 'provisioning', 'ERROR', 'routes test' FROM nodes WHERE uuid = ?::uuid",
                UUID.randomUUID().toString(),
                node);
        fixture.put(
                "history_event",
                get("/v1/nodes/" + node + "/history")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getJsonArray("history")
                        .getJsonObject(0)
                        .getString("uuid"));
    }

    private String firstIndicator(String node, JsonArray components) {
        for (Object c : components) {
            String component = ((JsonObject) c).getString("name");
            JsonArray inds = get("/v1/nodes/" + node + "/management/indicators/" + component)
                    .v(LATEST)
                    .expect(200)
                    .json()
                    .getJsonArray("indicators", new JsonArray());
            if (!inds.isEmpty()) {
                return inds.getJsonObject(0).getString("name") + "@" + component;
            }
        }
        return "none@system";
    }

    private String port(String node, String mac) {
        return post("/v1/ports", new JsonObject().put("node_uuid", node).put("address", mac))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private String chassis() {
        return post("/v1/chassis", new JsonObject().put("description", "routes"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private String template(String name) {
        JsonObject step = new JsonObject()
                .put("interface", "bios")
                .put("step", "apply_configuration")
                .put("args", new JsonObject().put("settings", new JsonArray()))
                .put("priority", 150);
        return post("/v1/deploy_templates", new JsonObject().put("name", name).put("steps", new JsonArray().add(step)))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private String available(String name) {
        String uuid = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", name)
                        .put("resource_class", name))
                .getString("uuid");
        for (String target : new String[] {"manage", "provide"}) {
            put("/v1/nodes/" + uuid + "/states/provision", new JsonObject().put("target", target))
                    .v(LATEST)
                    .expect(202);
            String want = target.equals("manage") ? "manageable" : "available";
            for (int i = 0; i < 200 && !want.equals(provisionState(uuid)); i++) {
                vertxDelay(50);
            }
            assertEquals(want, provisionState(uuid), name + " should reach " + want);
        }
        // Ironic allocates only nodes with a known power state (allocations.py: with_power_state)
        put("/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"))
                .v(LATEST)
                .expect(202);
        for (int i = 0; i < 200 && !"power on".equals(powerState(uuid)); i++) {
            vertxDelay(50);
        }
        assertEquals("power on", powerState(uuid), name + " should be powered on");
        return uuid;
    }

    private String powerState(String uuid) {
        return get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getString("power_state");
    }

    private String provisionState(String uuid) {
        return get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getString("provision_state");
    }

    private String allocation(String node) {
        JsonObject a = post("/v1/allocations", new JsonObject().put("resource_class", nodeName(node)))
                .v(LATEST)
                .expect(201)
                .json();
        String uuid = a.getString("uuid");
        for (int i = 0; i < 200; i++) {
            JsonObject now =
                    get("/v1/allocations/" + uuid).v(LATEST).expect(200).json();
            if (!"allocating".equals(now.getString("state"))) {
                assertEquals("active", now.getString("state"), now.encode());
                assertEquals(node, now.getString("node_uuid"), now.encode());
                return uuid;
            }
            vertxDelay(50);
        }
        throw new AssertionError("allocation " + uuid + " stayed allocating");
    }

    private String nodeName(String uuid) {
        return get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getString("name");
    }

    static Stream<String[]> routes() {
        return ROUTES.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void servedAtTheAdvertisedVersion(String method, String template, String minor) {
        String path = fill(template);
        Req req = new Req(HttpMethod.valueOf(method), path).v(ApiVersion.MAX.toString());
        Object body = bodyFor(method, template);
        if (body != null) {
            req.body(body);
        }
        Resp resp = req.send();
        assertNotEquals(405, resp.status(), () -> method + " " + path + " -> " + resp);
        if (resp.status() == 404) {
            String fault = resp.faultString();
            assertNotEquals(NO_ROUTE, fault, () -> method + " " + path + " is not served: " + resp);
        }
        assertTrue(resp.status() < 500, () -> method + " " + path + " -> " + resp);
    }

    @Test
    void theTableListsEachRouteOnceWithinTheAdvertisedVersion() {
        // the reference's routes up to the advertised version, counted once per (method, path); a new one is a
        // reminder to serve it and add it above
        List<String> seen = new ArrayList<>();
        for (String[] route : ROUTES) {
            assertTrue(Integer.parseInt(route[2]) <= ApiVersion.MAX.minor(), route[1] + " is above the advertised max");
            String key = route[0] + " " + route[1];
            assertTrue(!seen.contains(key), "listed twice: " + key);
            seen.add(key);
        }
        assertEquals(ROUTES.size(), seen.size());
    }

    private String fill(String template) {
        String out = template;
        for (Map.Entry<String, String> e : fixture.entrySet()) {
            out = out.replace("{" + e.getKey() + "}", e.getValue());
        }
        assertTrue(!out.contains("{"), "no fixture for " + out);
        return out;
    }

    private Object bodyFor(String method, String template) {
        String node = fixture.get("node");
        return switch (method + " " + template) {
            case "POST /v1/nodes" -> new JsonObject().put("driver", "fake-hardware");
            case "PATCH /v1/nodes/{node}" -> patchOps(op("add", "/extra/route", "yes"));
            case "PUT /v1/nodes/{node}/maintenance" -> new JsonObject().put("reason", "routes");
            case "PUT /v1/nodes/{node}/management/boot_device" -> new JsonObject().put("boot_device", "pxe");
            case "PUT /v1/nodes/{node}/states/boot_mode" -> new JsonObject().put("target", "uefi");
            case "PUT /v1/nodes/{node}/states/secure_boot" -> new JsonObject().put("target", false);
            case "PUT /v1/nodes/{node}/states/power" -> new JsonObject().put("target", "power on");
            case "PUT /v1/nodes/{node}/states/provision" -> new JsonObject().put("target", "manage");
            case "PUT /v1/nodes/{node}/states/raid" -> new JsonObject().put("logical_disks", new JsonArray());
            case "PUT /v1/nodes/{node}/states/console" -> new JsonObject().put("enabled", false);
            case "PUT /v1/nodes/{node}/management/indicators/{indicator}" -> new JsonObject().put("state", "OFF");
            case "POST /v1/nodes/{node}/vendor_passthru?method={node_vendor_method}",
                    "POST /v1/drivers/fake-hardware/vendor_passthru?method={driver_vendor_method}" -> new JsonObject();
            case "PUT /v1/nodes/{node}/traits" -> new JsonObject().put("traits", new JsonArray().add("CUSTOM_A"));
            case "POST /v1/nodes/{node}/vifs" -> new JsonObject().put("id", "vif-" + UUID.randomUUID());
            case "POST /v1/ports" -> new JsonObject().put("node_uuid", node).put("address", "52:54:00:aa:00:09");
            case "PATCH /v1/ports/{port}",
                    "PATCH /v1/portgroups/{portgroup}",
                    "PATCH /v1/volume/connectors/{connector}",
                    "PATCH /v1/volume/targets/{target}",
                    "PATCH /v1/chassis/{chassis}",
                    "PATCH /v1/allocations/{allocation}",
                    "PATCH /v1/deploy_templates/{template}" -> patchOps(op("add", "/extra/route", "yes"));
            case "POST /v1/portgroups" -> new JsonObject().put("node_uuid", node);
            case "POST /v1/volume/connectors" ->
                new JsonObject()
                        .put("node_uuid", node)
                        .put("type", "iqn")
                        .put("connector_id", "iqn.2026-12.io.anvil:posted");
            case "POST /v1/volume/targets" ->
                new JsonObject()
                        .put("node_uuid", node)
                        .put("volume_type", "iscsi")
                        .put("boot_index", 1)
                        .put("volume_id", "posted-volume");
            case "POST /v1/chassis" -> new JsonObject().put("description", "posted");
            case "POST /v1/allocations" -> new JsonObject().put("resource_class", "no-such-class");
            case "POST /v1/deploy_templates" ->
                new JsonObject()
                        .put("name", "CUSTOM_ROUTES_POSTED")
                        .put(
                                "steps",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("interface", "raid")
                                                .put("step", "delete_configuration")
                                                .put("args", new JsonObject())
                                                .put("priority", 10)));
            case "POST /v1/heartbeat/{node}" -> new JsonObject().put("callback_url", "http://127.0.0.1:9999");
            default -> null;
        };
    }
}
