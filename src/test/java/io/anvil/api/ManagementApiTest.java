package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The validate, management, vendor passthru, BIOS and RAID routes on the fake driver (docs/api.md): Ironic's fields,
 * microversion gating, status codes and messages, and the fake BIOS/RAID clean steps really changing what the API
 * shows.
 */
class ManagementApiTest extends ApiTestBase {

    private String manageable(String name) {
        String uuid = createNode(name).getString("uuid");
        sql("UPDATE nodes SET provision_state = 'manageable' WHERE uuid = ?::uuid", uuid);
        return uuid;
    }

    private JsonObject awaitNode(String uuid, java.util.function.Predicate<JsonObject> done) {
        JsonObject[] last = new JsonObject[1];
        Conditions.await(vertx, "node " + uuid, Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
            last[0] = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
            return done.test(last[0]);
        });
        return last[0];
    }

    // ---- validate ----

    @Test
    void validateAnswersEveryInterfaceInIronicsShape() {
        String uuid = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", "validate-fake")
                        .put("console_interface", "no-console")
                        .put("bios_interface", "no-bios")
                        .put("raid_interface", "no-raid")
                        .put("rescue_interface", "no-rescue"))
                .getString("uuid");
        JsonObject v =
                get("/v1/nodes/" + uuid + "/validate").v(LATEST).expect(200).json();
        assertEquals(
                List.of(
                        "boot",
                        "deploy",
                        "management",
                        "network",
                        "power",
                        "bios",
                        "console",
                        "inspect",
                        "raid",
                        "rescue",
                        "storage"),
                List.copyOf(v.fieldNames()));
        for (String ok : List.of("boot", "deploy", "management", "network", "power", "inspect", "storage")) {
            assertEquals(new JsonObject().put("result", true), v.getJsonObject(ok), ok);
        }
        for (String no : List.of("bios", "console", "raid", "rescue")) {
            assertEquals(
                    new JsonObject()
                            .put("result", false)
                            .put(
                                    "reason",
                                    "Driver fake-hardware does not support " + no + " (disabled or not implemented)."),
                    v.getJsonObject(no),
                    no);
        }
        // by name as well, and 404 for an unknown node
        assertEquals(
                v, get("/v1/nodes/validate-fake/validate").v(LATEST).expect(200).json());
        assertError(get("/v1/nodes/nope-nope/validate").v(LATEST).send(), 404, "nope-nope could not be found");

        // Ironic's old form, GET /v1/nodes/validate?node=<ident> (and the deprecated node_uuid)
        assertEquals(
                v,
                get("/v1/nodes/validate?node=validate-fake")
                        .v(LATEST)
                        .expect(200)
                        .json());
        assertEquals(
                v, get("/v1/nodes/validate?node=" + uuid).v("1.1").expect(200).json());
        assertEquals(
                v,
                get("/v1/nodes/validate?node_uuid=" + uuid).v("1.1").expect(200).json());
        assertError(get("/v1/nodes/validate?node=validate-fake").v("1.4").send(), 406, null);
        assertError(
                get("/v1/nodes/validate?node_uuid=validate-fake").v(LATEST).send(),
                400,
                "Expected UUID for node_uuid: validate-fake");
        assertError(get("/v1/nodes/validate?node=nope-nope").v(LATEST).send(), 404, "nope-nope could not be found");
        assertError(get("/v1/nodes/validate").v(LATEST).send(), 400, "Missing argument: \"node\"");
        assertError(get("/v1/nodes/validate?node=x&bogus=1").v(LATEST).send(), 400, null);
    }

    @Test
    void validateNamesWhatAnIpxeDirectNodeLacks() {
        String uuid = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("boot_interface", "ipxe")
                        .put("deploy_interface", "direct"))
                .getString("uuid");
        JsonObject v =
                get("/v1/nodes/" + uuid + "/validate").v(LATEST).expect(200).json();
        assertFalse(v.getJsonObject("boot").getBoolean("result"));
        assertTrue(v.getJsonObject("boot").getString("reason").contains("does not have any port"), v.encode());
        assertFalse(v.getJsonObject("deploy").getBoolean("result"));
        post("/v1/ports", new JsonObject().put("node_uuid", uuid).put("address", "52:54:00:aa:bb:01"))
                .v(LATEST)
                .expect(201);
        v = get("/v1/nodes/" + uuid + "/validate").v(LATEST).expect(200).json();
        assertTrue(v.getJsonObject("boot").getString("reason").contains("deploy_kernel"), v.encode());
        patch(
                        "/v1/nodes/" + uuid,
                        patchOps(
                                op("add", "/driver_info/deploy_kernel", "http://images/k"),
                                op("add", "/driver_info/deploy_ramdisk", "http://images/r")))
                .v(LATEST)
                .expect(200);
        v = get("/v1/nodes/" + uuid + "/validate").v(LATEST).expect(200).json();
        assertEquals(new JsonObject().put("result", true), v.getJsonObject("boot"), v.encode());
        assertEquals(
                "Cannot validate driver deploy. Some parameters were missing in node's instance_info. Missing are:"
                        + " ['image_source']",
                v.getJsonObject("deploy").getString("reason"));
        patch("/v1/nodes/" + uuid, patchOps(op("add", "/instance_info/image_source", "http://images/os.img")))
                .v(LATEST)
                .expect(200);
        v = get("/v1/nodes/" + uuid + "/validate").v(LATEST).expect(200).json();
        assertEquals(new JsonObject().put("result", true), v.getJsonObject("deploy"), v.encode());
    }

    // ---- management ----

    @Test
    void injectNmiIsGatedAndUnsupportedByTheFakeDriverAsInIronic() {
        String uuid = createNode("nmi-fake").getString("uuid");
        assertError(
                put("/v1/nodes/" + uuid + "/management/inject_nmi", new JsonObject())
                        .v("1.28")
                        .send(),
                404,
                "could not be found");
        assertError(
                put("/v1/nodes/" + uuid + "/management/inject_nmi", new JsonObject())
                        .v("1.29")
                        .send(),
                400,
                "Driver fake-hardware does not support inject_nmi (disabled or not implemented).");
        assertError(
                put("/v1/nodes/missing-node/management/inject_nmi", null)
                        .v(LATEST)
                        .send(),
                404,
                "missing-node could not be found");
    }

    @Test
    void bootModeAndSecureBootChangeTheNodeFields() {
        String uuid = manageable("boot-mode-fake");
        String states = "/v1/nodes/" + uuid + "/states/";
        assertError(
                put(states + "boot_mode", new JsonObject().put("target", "uefi"))
                        .v("1.75")
                        .send(),
                404,
                "This endpoint is supported starting with the API version 1.76");
        assertError(
                put(states + "secure_boot", new JsonObject().put("target", true))
                        .v("1.75")
                        .send(),
                404,
                "1.76");
        assertError(
                put(states + "boot_mode", new JsonObject().put("target", "legacy"))
                        .v(LATEST)
                        .send(),
                400,
                "Invalid boot mode legacy requested for node. Allowed boot modes are: bios, uefi");
        assertError(
                put(states + "secure_boot", new JsonObject().put("target", "maybe"))
                        .v(LATEST)
                        .send(),
                400,
                "Invalid secure_boot maybe requested for node.");

        Resp r = put(states + "boot_mode", new JsonObject().put("target", "bios"))
                .v(LATEST)
                .expect(202);
        assertTrue(r.header("Location").endsWith("/v1/nodes/" + uuid + "/states"), r.header("Location"));
        awaitNode(uuid, n -> "bios".equals(n.getString("boot_mode")));
        put(states + "secure_boot", new JsonObject().put("target", true))
                .v(LATEST)
                .expect(202);
        JsonObject n = awaitNode(uuid, x -> Boolean.TRUE.equals(x.getBoolean("secure_boot")));
        assertNull(n.getValue("last_error"));
        JsonObject s =
                get("/v1/nodes/" + uuid + "/states").v(LATEST).expect(200).json();
        assertEquals("bios", s.getString("boot_mode"));
        assertEquals(true, s.getBoolean("secure_boot"));
        put(states + "secure_boot", new JsonObject().put("target", false))
                .v(LATEST)
                .expect(202);
        awaitNode(uuid, x -> Boolean.FALSE.equals(x.getBoolean("secure_boot")));

        // a transitioning node is left alone: 409
        sql("UPDATE nodes SET provision_state = 'cleaning' WHERE uuid = ?::uuid", uuid);
        assertError(
                put(states + "boot_mode", new JsonObject().put("target", "uefi"))
                        .v(LATEST)
                        .send(),
                409,
                "Node is in cleaning state.");
    }

    @Test
    void indicatorsAreTheFakeDriversAndTheWritableLedKeepsItsState() {
        String uuid = createNode("leds-fake").getString("uuid");
        String path = "/v1/nodes/" + uuid + "/management/indicators";
        assertError(get(path).v("1.62").send(), 404, null);
        JsonArray list = get(path).v("1.63").expect(200).json().getJsonArray("indicators");
        assertEquals(2, list.size(), list.encode());
        JsonObject led0 = list.getJsonObject(0);
        assertEquals("led-0@chassis", led0.getString("name"));
        assertEquals("chassis", led0.getString("component"));
        assertEquals(true, led0.getBoolean("readonly"));
        assertEquals(new JsonArray().add("OFF").add("ON"), led0.getJsonArray("states"));
        assertLinks(led0.getJsonArray("links"), "nodes/" + uuid + "/management/indicators/led-0@chassis");
        assertEquals("led@system", list.getJsonObject(1).getString("name"));

        assertEquals(
                "ON", get(path + "/led@system").v(LATEST).expect(200).json().getString("state"));
        put(path + "/led@system", new JsonObject().put("state", "BLINKING"))
                .v(LATEST)
                .expect(204);
        assertEquals(
                "BLINKING",
                get(path + "/led@system").v(LATEST).expect(200).json().getString("state"));
        assertError(
                put(path + "/led-0@chassis", new JsonObject().put("state", "OFF"))
                        .v(LATEST)
                        .send(),
                400,
                "read-only");
        assertError(
                put(path + "/led@system", new JsonObject().put("state", "PURPLE"))
                        .v(LATEST)
                        .send(),
                400,
                "Invalid indicator state PURPLE");
        assertError(get(path + "/led").v(LATEST).send(), 400, "Malformed indicator name \"led\"");
        assertError(get(path + "/led@disk").v(LATEST).send(), 400, "Invalid component disk specified.");
        assertError(get(path + "/nope@system").v(LATEST).send(), 400, "Invalid indicator nope specified.");
    }

    // ---- vendor passthru ----

    @Test
    void vendorPassthruFollowsIronicsFakeVendor() {
        String uuid = createNode("vendor-fake").getString("uuid");
        String path = "/v1/nodes/" + uuid + "/vendor_passthru";
        JsonObject methods = get(path + "/methods").v(LATEST).expect(200).json();
        assertEquals(
                new JsonObject()
                        .put("http_methods", new JsonArray().add("POST"))
                        .put("async", false)
                        .put("description", "Test if the value of bar is meow")
                        .put("attach", false)
                        .put("require_exclusive_lock", true),
                methods.getJsonObject("third_method_sync"));
        assertEquals(4, methods.size(), methods.encode());

        Resp sync = post(path + "/third_method_sync", new JsonObject().put("bar", "meow"))
                .v(LATEST)
                .expect(200);
        assertEquals("true", sync.body().toString());
        Resp async = post(path + "?method=second_method", new JsonObject().put("bar", "kazoo"))
                .v(LATEST)
                .expect(202);
        assertEquals(0, async.body().length());
        assertError(
                post(path + "?method=second_method", new JsonObject()).v(LATEST).send(),
                400,
                "Parameter 'bar' not passed to method 'second_method'.");
        assertError(post(path, new JsonObject()).v(LATEST).send(), 400, "Method not specified");
        assertError(post(path + "?method=nope", new JsonObject()).v(LATEST).send(), 400, "No handler for method nope");
        assertError(
                get(path + "?method=second_method").v(LATEST).send(),
                400,
                "The method second_method does not support HTTP GET");

        String none = createNode(new JsonObject().put("driver", "fake-hardware").put("vendor_interface", "no-vendor"))
                .getString("uuid");
        assertEquals(
                new JsonObject(),
                get("/v1/nodes/" + none + "/vendor_passthru/methods")
                        .v(LATEST)
                        .expect(200)
                        .json());
        assertError(
                post("/v1/nodes/" + none + "/vendor_passthru?method=second_method", new JsonObject())
                        .v(LATEST)
                        .send(),
                400,
                "No handler for method second_method");
    }

    @Test
    void driverPassthruHasNoMethodsAsInIronic() {
        assertEquals(
                new JsonObject(),
                get("/v1/drivers/fake-hardware/vendor_passthru/methods")
                        .v(LATEST)
                        .expect(200)
                        .json());
        assertError(
                post("/v1/drivers/fake-hardware/vendor_passthru?method=x", new JsonObject())
                        .v(LATEST)
                        .send(),
                400,
                "No handler for method x");
        assertError(
                get("/v1/drivers/nope/vendor_passthru/methods").v(LATEST).send(),
                404,
                "Could not find the following driver(s) or hardware type(s): nope.");
    }

    // ---- BIOS ----

    @Test
    void manualCleanAppliesBiosSettingsAndGetBiosShowsThem() {
        String uuid = manageable("bios-fake");
        String bios = "/v1/nodes/" + uuid + "/bios";
        assertError(get(bios).v("1.39").send(), 404, null);
        assertEquals(new JsonArray(), get(bios).v("1.40").expect(200).json().getJsonArray("bios"));

        clean(
                uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("interface", "bios")
                                .put("step", "apply_configuration")
                                .put(
                                        "args",
                                        new JsonObject()
                                                .put(
                                                        "settings",
                                                        new JsonArray()
                                                                .add(new JsonObject()
                                                                        .put("name", "ProcVirtualization")
                                                                        .put("value", "Enabled"))
                                                                .add(new JsonObject()
                                                                        .put("name", "BootMode")
                                                                        .put("value", "Uefi"))))));

        JsonArray list = get(bios).v("1.40").expect(200).json().getJsonArray("bios");
        assertEquals(2, list.size(), list.encode());
        JsonObject first = list.getJsonObject(0);
        assertEquals("BootMode", first.getString("name"));
        assertEquals("Uefi", first.getString("value"));
        assertEquals(List.of("created_at", "updated_at", "name", "value", "links"), List.copyOf(first.fieldNames()));
        assertLinks(first.getJsonArray("links"), "nodes/" + uuid + "/bios/BootMode");

        JsonObject one = get(bios + "/ProcVirtualization").v("1.40").expect(200).json();
        assertEquals("Enabled", one.getJsonObject("ProcVirtualization").getString("value"));
        JsonObject detailed =
                get(bios + "/ProcVirtualization").v("1.74").expect(200).json().getJsonObject("ProcVirtualization");
        assertTrue(detailed.containsKey("allowable_values") && detailed.containsKey("upper_bound"), detailed.encode());
        assertError(get(bios + "/Nope").v(LATEST).send(), 404, "Node " + uuid + " doesn't have a BIOS setting 'Nope'");

        JsonObject d = get(bios + "?detail=true")
                .v("1.74")
                .expect(200)
                .json()
                .getJsonArray("bios")
                .getJsonObject(0);
        assertTrue(d.containsKey("attribute_type") && d.containsKey("reset_required"), d.encode());
        assertError(get(bios + "?detail=true").v("1.73").send(), 400, "Invalid query parameter ?detail=true received.");
        JsonObject f = get(bios + "?fields=name")
                .v("1.74")
                .expect(200)
                .json()
                .getJsonArray("bios")
                .getJsonObject(0);
        assertEquals(List.of("created_at", "updated_at", "name", "links"), List.copyOf(f.fieldNames()));
        assertError(get(bios + "?fields=bogus").v("1.74").send(), 400, "bogus");

        // a second apply replaces the set; factory_reset empties it
        clean(
                uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("interface", "bios")
                                .put("step", "apply_configuration")
                                .put(
                                        "args",
                                        new JsonObject()
                                                .put(
                                                        "settings",
                                                        new JsonArray()
                                                                .add(new JsonObject()
                                                                        .put("name", "BootMode")
                                                                        .put("value", "Bios"))))));
        list = get(bios).v(LATEST).expect(200).json().getJsonArray("bios");
        assertEquals(1, list.size(), list.encode());
        assertEquals("Bios", list.getJsonObject(0).getString("value"));
        clean(
                uuid,
                new JsonArray().add(new JsonObject().put("interface", "bios").put("step", "factory_reset")));
        assertEquals(new JsonArray(), get(bios).v(LATEST).expect(200).json().getJsonArray("bios"));
    }

    @Test
    void biosStepsOfANoBiosNodeFailTheClean() {
        String uuid = createNode(new JsonObject().put("driver", "fake-hardware").put("bios_interface", "no-bios"))
                .getString("uuid");
        sql("UPDATE nodes SET provision_state = 'manageable' WHERE uuid = ?::uuid", uuid);
        Resp r = put(
                        "/v1/nodes/" + uuid + "/states/provision",
                        new JsonObject()
                                .put("target", "clean")
                                .put(
                                        "clean_steps",
                                        new JsonArray()
                                                .add(new JsonObject()
                                                        .put("interface", "bios")
                                                        .put("step", "factory_reset"))))
                .v(LATEST)
                .send();
        // Ironic checks the steps in the cleaning worker: accepted, then clean failed naming the step
        assertEquals(202, r.status(), r.toString());
        JsonObject n = awaitNode(uuid, x -> "clean failed".equals(x.getString("provision_state")));
        assertTrue(n.getString("last_error").contains("factory_reset"), n.encode());
    }

    // ---- RAID ----

    private static JsonObject raid(JsonObject... disks) {
        JsonArray a = new JsonArray();
        for (JsonObject d : disks) {
            a.add(d);
        }
        return new JsonObject().put("logical_disks", a);
    }

    @Test
    void targetRaidConfigIsValidatedStoredAndAppliedByCleaning() {
        String uuid = manageable("raid-fake");
        String path = "/v1/nodes/" + uuid + "/states/raid";
        JsonObject target = raid(
                new JsonObject().put("size_gb", 100).put("raid_level", "1").put("is_root_volume", true),
                new JsonObject().put("size_gb", "MAX").put("raid_level", "5"));
        assertError(put(path, target).v("1.11").send(), 406, null);
        assertError(
                put(path, raid(new JsonObject().put("size_gb", 10).put("raid_level", "7")))
                        .v(LATEST)
                        .send(),
                400,
                "RAID config validation error: '7' is not one of ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0',"
                        + " '6+0']");
        assertError(
                put(path, raid(new JsonObject().put("raid_level", "1")))
                        .v(LATEST)
                        .send(),
                400,
                "RAID config validation error: 'size_gb' is a required property");
        assertError(
                put(path, new JsonObject().put("logical_disks", new JsonArray()).put("x", 1))
                        .v(LATEST)
                        .send(),
                400,
                "Additional properties are not allowed ('x' was unexpected)");
        assertError(
                put(
                                path,
                                raid(
                                        new JsonObject()
                                                .put("size_gb", 1)
                                                .put("raid_level", "1")
                                                .put("is_root_volume", true),
                                        new JsonObject()
                                                .put("size_gb", 1)
                                                .put("raid_level", "1")
                                                .put("is_root_volume", true)))
                        .v(LATEST)
                        .send(),
                400,
                "Raid config cannot have more than one root volume. 2 root volumes were specified");
        assertError(put(path, new JsonArray()).v(LATEST).send(), 400, "JSON object");

        put(path, target).v("1.12").expect(204);
        JsonObject node = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        assertEquals(target, node.getJsonObject("target_raid_config"));
        assertEquals(new JsonObject(), node.getJsonObject("raid_config"));
        assertFalse(get("/v1/nodes/" + uuid).v("1.11").expect(200).json().containsKey("target_raid_config"));

        clean(
                uuid,
                new JsonArray().add(new JsonObject().put("interface", "raid").put("step", "create_configuration")));
        node = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        JsonObject applied = node.getJsonObject("raid_config");
        assertEquals(target.getJsonArray("logical_disks"), applied.getJsonArray("logical_disks"));
        assertTrue(applied.containsKey("last_updated"), applied.encode());
        assertEquals(100, node.getJsonObject("properties").getInteger("local_gb"));
        assertEquals("raid_level:1", node.getJsonObject("properties").getString("capabilities"));

        clean(
                uuid,
                new JsonArray().add(new JsonObject().put("interface", "raid").put("step", "delete_configuration")));
        assertEquals(
                new JsonObject(),
                get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getJsonObject("raid_config"));

        put(path, new JsonObject()).v(LATEST).expect(204);
        assertEquals(
                new JsonObject(),
                get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getJsonObject("target_raid_config"));
    }

    @Test
    void noRaidNodeAnswers404AsIronicDoes() {
        String uuid = createNode(new JsonObject().put("driver", "fake-hardware").put("raid_interface", "no-raid"))
                .getString("uuid");
        assertError(
                put(
                                "/v1/nodes/" + uuid + "/states/raid",
                                raid(new JsonObject().put("size_gb", 1).put("raid_level", "0")))
                        .v(LATEST)
                        .send(),
                404,
                "Driver fake-hardware does not support raid (disabled or not implemented).");
    }

    @Test
    void logicalDiskPropertiesComeFromIronicsSchema() {
        assertError(
                get("/v1/drivers/fake-hardware/raid/logical_disk_properties")
                        .v("1.11")
                        .send(),
                406,
                null);
        JsonObject p = get("/v1/drivers/fake-hardware/raid/logical_disk_properties")
                .v("1.12")
                .expect(200)
                .json();
        assertEquals(
                List.of(
                        "raid_level",
                        "size_gb",
                        "volume_name",
                        "is_root_volume",
                        "share_physical_disks",
                        "disk_type",
                        "interface_type",
                        "number_of_physical_disks",
                        "controller",
                        "physical_disks"),
                List.copyOf(p.fieldNames()));
        assertTrue(p.getString("raid_level").startsWith("RAID level for the logical disk."), p.encode());
        assertError(
                get("/v1/drivers/nope/raid/logical_disk_properties").v(LATEST).send(), 404, "nope");
    }

    /** A manual clean with {@code steps}, waited for until the node is manageable again without an error. */
    private void clean(String uuid, JsonArray steps) {
        put(
                        "/v1/nodes/" + uuid + "/states/provision",
                        new JsonObject().put("target", "clean").put("clean_steps", steps))
                .v(LATEST)
                .expect(202);
        JsonObject n = awaitNode(
                uuid,
                x -> "manageable".equals(x.getString("provision_state"))
                        || "clean failed".equals(x.getString("provision_state")));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertNull(n.getValue("last_error"), n.encode());
    }
}
