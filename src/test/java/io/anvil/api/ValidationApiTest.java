package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets a clear 4xx in Ironic's error format and changes nothing (docs/architecture.md#invariants, invariant
 * 7).
 */
class ValidationApiTest extends ApiTestBase {
    private static final int MAX_BODY = 8192;
    private String victim;

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("api.max_body_bytes", MAX_BODY);
    }

    @BeforeAll
    void victimNode() {
        victim = createNode("victim").getString("uuid");
        post("/v1/ports", new JsonObject().put("node_uuid", victim).put("address", "52:54:00:00:00:01"))
                .v(LATEST)
                .expect(201);
    }

    private static JsonObject node() {
        return new JsonObject().put("driver", "fake-hardware");
    }

    static Stream<Arguments> badNodeBodies() {
        return Stream.of(
                arguments("malformed JSON", "{\"driver\": \"fake-hardware\"", "not valid JSON"),
                arguments("trailing garbage", "{\"driver\": \"fake-hardware\"} x", "JSON"),
                arguments("a list", "[{\"driver\": \"fake-hardware\"}]", "must be a JSON object"),
                arguments("a string", "\"fake-hardware\"", "must be a JSON object"),
                arguments("null", "null", "JSON object"),
                arguments("empty", "", "empty"),
                arguments("unknown field", node().put("bogus", 1).encode(), "bogus"),
                arguments(
                        "read-only field",
                        node().put("provision_state", "active").encode(),
                        "provision_state"),
                arguments(
                        "read-only reservation", node().put("reservation", "me").encode(), "reservation"),
                arguments("bad uuid", node().put("uuid", "not-a-uuid").encode(), "Expected a UUID for uuid"),
                arguments("numeric uuid", node().put("uuid", 12345).encode(), "uuid"),
                arguments(
                        "bad instance_uuid", node().put("instance_uuid", "xyz").encode(), "instance_uuid"),
                arguments("name with space", node().put("name", "bad name!").encode(), "logical name"),
                arguments(
                        "name like a uuid",
                        node().put("name", UUID.randomUUID().toString()).encode(),
                        "logical name"),
                arguments("numeric name", node().put("name", 123).encode(), "expected a string"),
                arguments("numeric driver", new JsonObject().put("driver", 5).encode(), "driver"),
                arguments("null driver", new JsonObject().putNull("driver").encode(), "driver"),
                arguments(
                        "missing driver",
                        new JsonObject().put("name", "x").encode(),
                        "Mandatory field missing: 'driver'"),
                arguments(
                        "unknown driver", new JsonObject().put("driver", "nope").encode(), "No valid host was found"),
                arguments(
                        "bad interface",
                        node().put("network_interface", "neutron").encode(),
                        "neutron"),
                arguments(
                        "string for bool",
                        node().put("automated_clean", "maybe").encode(),
                        "expected a boolean"),
                arguments("number for bool", node().put("automated_clean", 1).encode(), "expected a boolean"),
                arguments("string for object", node().put("extra", "x").encode(), "expected a JSON object"),
                arguments(
                        "list for object",
                        node().put("driver_info", new JsonArray().add(1)).encode(),
                        "JSON object"),
                arguments("null object", node().putNull("driver_info").encode(), "driver_info"),
                arguments("number for string", node().put("owner", 5).encode(), "owner"),
                arguments("bool for string", node().put("description", true).encode(), "description"),
                arguments("long name", node().put("name", "n".repeat(256)).encode(), "at most 255"),
                arguments(
                        "long resource_class",
                        node().put("resource_class", "r".repeat(81)).encode(),
                        "at most 80"),
                arguments(
                        "long description",
                        node().put("description", "d".repeat(4097)).encode(),
                        "at most 4096"),
                arguments(
                        "bad conductor_group",
                        node().put("conductor_group", "rack 1!").encode(),
                        "conductor_group"),
                arguments("duplicate name", node().put("name", "victim").encode(), "already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNodeBodies")
    void badNodeCreateIsRejectedAndWritesNothing(String label, String body, String fragment) {
        Map<String, Long> before = counts();
        ApiTestBase.Resp r = post("/v1/nodes", Buffer.buffer(body)).v(LATEST).send();
        assertError(r, label.equals("duplicate name") ? 409 : 400, fragment);
        assertEquals(before, counts(), label);
    }

    static Stream<Arguments> badNodePatches() {
        return Stream.of(
                arguments("not JSON", "[{\"op\": ", "JSON"),
                arguments("not a list", new JsonObject().put("op", "add").encode(), "list of operations"),
                arguments(
                        "number for string", patchOps(op("replace", "/name", 5)).encode(), "name"),
                arguments("bad name", patchOps(op("replace", "/name", "a b")).encode(), "logical name"),
                arguments(
                        "long name",
                        patchOps(op("replace", "/name", "n".repeat(300))).encode(),
                        "at most 255"),
                arguments(
                        "string for bool",
                        patchOps(op("replace", "/automated_clean", "maybe")).encode(),
                        "boolean"),
                arguments(
                        "null for not-null bool",
                        patchOps(op("replace", "/maintenance", null)).encode(),
                        "maintenance"),
                arguments(
                        "null for object",
                        patchOps(op("replace", "/driver_info", null)).encode(),
                        "driver_info"),
                arguments(
                        "string for object",
                        patchOps(op("replace", "/extra", "x")).encode(),
                        "JSON object"),
                arguments(
                        "bad uuid",
                        patchOps(op("replace", "/instance_uuid", "xyz")).encode(),
                        "instance_uuid"),
                arguments(
                        "bad interface",
                        patchOps(op("replace", "/power_interface", "ipmitool")).encode(),
                        "ipmitool"),
                arguments(
                        "unknown driver",
                        patchOps(op("replace", "/driver", "nope")).encode(),
                        "No valid host"),
                arguments(
                        "second op bad",
                        patchOps(op("add", "/extra/ok", 1), op("replace", "/name", 7))
                                .encode(),
                        "name"),
                arguments(
                        "duplicate name",
                        patchOps(op("add", "/extra/ok", 1), op("replace", "/name", "other"))
                                .encode(),
                        "already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNodePatches")
    void badNodePatchIsRejectedAndWritesNothing(String label, String body, String fragment) {
        if (label.equals("duplicate name")) {
            createNodeOnce("other");
        }
        Map<String, Long> before = counts();
        Object updatedBefore = scalar("SELECT updated_at FROM nodes WHERE uuid = ?", victim);
        ApiTestBase.Resp r =
                patch("/v1/nodes/" + victim, Buffer.buffer(body)).v(LATEST).send();
        assertError(r, label.equals("duplicate name") ? 409 : 400, fragment);
        assertEquals(before, counts(), label);
        assertEquals(updatedBefore, scalar("SELECT updated_at FROM nodes WHERE uuid = ?", victim), label);
        assertEquals("victim", scalar("SELECT name FROM nodes WHERE uuid = ?", victim));
        assertEquals("{}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", victim));
    }

    private void createNodeOnce(String name) {
        if (get("/v1/nodes/" + name).v(LATEST).send().status() == 404) {
            createNode(name);
        }
    }

    @Test
    void oversizeBodyIs413AndWritesNothing() {
        Map<String, Long> before = counts();
        JsonObject big = node().put("extra", new JsonObject().put("blob", "x".repeat(MAX_BODY)));
        ApiTestBase.Resp r = post("/v1/nodes", big).v(LATEST).send();
        assertError(r, 413, null);
        ApiTestBase.Resp p = patch("/v1/nodes/" + victim, patchOps(op("add", "/extra/blob", "y".repeat(MAX_BODY))))
                .v(LATEST)
                .send();
        assertError(p, 413, null);
        assertEquals(before, counts());
        assertEquals("{}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", victim));
        // just under the limit is fine
        JsonObject fits =
                node().put("name", "fits").put("extra", new JsonObject().put("blob", "x".repeat(MAX_BODY - 200)));
        post("/v1/nodes", fits).v(LATEST).expect(201);
        delete("/v1/nodes/fits").v(LATEST).expect(204);
    }

    static Stream<Arguments> badPortBodies() {
        return Stream.of(
                arguments("bad MAC", new JsonObject().put("address", "zz:54:00:00:00:02"), "Expected a MAC address"),
                arguments(
                        "MAC with dashes",
                        new JsonObject().put("address", "52-54-00-00-00-02"),
                        "Expected a MAC address"),
                arguments(
                        "MAC without separators",
                        new JsonObject().put("address", "525400000002"),
                        "Expected a MAC address"),
                arguments("short MAC", new JsonObject().put("address", "52:54:00:00:02"), "MAC"),
                arguments("numeric MAC", new JsonObject().put("address", 5254), "MAC"),
                arguments("missing address", new JsonObject(), "address"),
                arguments(
                        "unknown field",
                        new JsonObject().put("address", "52:54:00:00:00:02").put("colour", "red"),
                        "colour"),
                arguments(
                        "bad pxe_enabled",
                        new JsonObject().put("address", "52:54:00:00:00:02").put("pxe_enabled", "on!"),
                        "pxe_enabled"),
                arguments(
                        "long physical_network",
                        new JsonObject().put("address", "52:54:00:00:00:02").put("physical_network", "p".repeat(65)),
                        "at most 64"),
                arguments(
                        "bad llc key",
                        new JsonObject()
                                .put("address", "52:54:00:00:00:02")
                                .put("local_link_connection", new JsonObject().put("switch_port", "x")),
                        "switch_port"),
                arguments(
                        "bad portgroup uuid",
                        new JsonObject().put("address", "52:54:00:00:00:02").put("portgroup_uuid", "nope"),
                        "portgroup_uuid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPortBodies")
    void badPortCreateIsRejectedAndWritesNothing(String label, JsonObject body, String fragment) {
        Map<String, Long> before = counts();
        assertError(
                post("/v1/ports", body.copy().put("node_uuid", victim))
                        .v(LATEST)
                        .send(),
                400,
                fragment);
        assertEquals(before, counts(), label);
    }

    @Test
    void badVolumeBodiesAreRejected() {
        Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", victim)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "v")
                                        .put("boot_index", "first"))
                        .v(LATEST)
                        .send(),
                400,
                "boot_index");
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", victim)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "v")
                                        .put("boot_index", 4294967296L))
                        .v(LATEST)
                        .send(),
                400,
                "boot_index");
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", victim)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "v")
                                        .put("boot_index", 1.5))
                        .v(LATEST)
                        .send(),
                400,
                "boot_index");
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", victim)
                                        .put("type", "iqn")
                                        .put("connector_id", 7))
                        .v(LATEST)
                        .send(),
                400,
                "connector_id");
        assertEquals(before, counts());
    }

    @Test
    void badPathIdentifiers() {
        assertError(get("/v1/ports/not-a-uuid").v(LATEST).send(), 404, "not-a-uuid");
        assertError(
                patch("/v1/ports/not-a-uuid", patchOps(op("add", "/extra/a", 1)))
                        .v(LATEST)
                        .send(),
                404,
                "not-a-uuid");
        assertError(delete("/v1/volume/connectors/xyz").v(LATEST).send(), 404, "xyz");
        // Ironic's get_rpc_node: a name is at most 255 characters (utils.is_valid_logical_name), so a longer one is
        // InvalidUuidOrName (400), not a missing node
        assertError(get("/v1/nodes/" + "a".repeat(255)).v(LATEST).send(), 404, null);
        assertError(get("/v1/nodes/" + "a".repeat(300)).v(LATEST).send(), 400, "Expected a logical name or UUID");
    }

    @Test
    void errorsNeverEchoSecrets() {
        ApiTestBase.Resp r = patch(
                        "/v1/nodes/" + victim,
                        patchOps(op("add", "/driver_info/ipmi_password", "pw-echo"), op("replace", "/name", 5)))
                .v(LATEST)
                .send();
        assertError(r, 400, "name");
        assertTrue(!r.body().toString().contains("pw-echo"), r::toString);
        assertNull(scalar("SELECT driver_info->>'ipmi_password' FROM nodes WHERE uuid = ?", victim));
    }
}
