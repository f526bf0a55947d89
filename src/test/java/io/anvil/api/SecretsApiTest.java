package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Secrets never leave (docs/architecture.md#invariants, invariant 8): passwords, keys, tokens and config drives are
 * {@code ******} in every response and in every notification payload written to the events outbox, while the row keeps
 * the real value, encrypted (docs/security.md#secrets-at-rest; SecretsAtRestTest covers the rest).
 */
class SecretsApiTest extends ApiTestBase {
    private static final List<String> SECRETS = List.of(
            "hunter2-pw",
            "c0ffee-kg",
            "tok-123",
            "CONFIGDRIVE-BLOB",
            "ssh-rsa-AAAA",
            "deep-pw",
            "bmc-pw-2",
            "chap-secret");

    private static JsonObject secretNode(String name) {
        return new JsonObject()
                .put("driver", "ipmi")
                .put("name", name)
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "10.1.1.1")
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "hunter2-pw")
                                .put("ipmi_hex_kg_key", "c0ffee-kg")
                                .put("nested", new JsonObject().put("auth_token", "tok-123")))
                .put(
                        "instance_info",
                        new JsonObject()
                                .put("configdrive", "CONFIGDRIVE-BLOB")
                                .put("image_source", "http://images/img.qcow2"))
                .put(
                        "extra",
                        new JsonObject()
                                .put("ssh_key", "ssh-rsa-AAAA")
                                .put("rack", "r1")
                                .put(
                                        "list",
                                        new io.vertx.core.json.JsonArray()
                                                .add(new JsonObject().put("root_password", "deep-pw"))));
    }

    private static void assertMasked(JsonObject node) {
        JsonObject di = node.getJsonObject("driver_info");
        assertEquals("******", di.getString("ipmi_password"), node::encode);
        assertEquals("******", di.getString("ipmi_hex_kg_key"), node::encode);
        assertEquals("******", di.getJsonObject("nested").getString("auth_token"), node::encode);
        assertEquals("10.1.1.1", di.getString("ipmi_address"));
        assertEquals("admin", di.getString("ipmi_username"));
        JsonObject ii = node.getJsonObject("instance_info");
        assertEquals("******", ii.getString("configdrive"));
        assertEquals("http://images/img.qcow2", ii.getString("image_source"));
        JsonObject extra = node.getJsonObject("extra");
        assertEquals("******", extra.getString("ssh_key"));
        assertEquals("r1", extra.getString("rack"));
        assertEquals("******", extra.getJsonArray("list").getJsonObject(0).getString("root_password"));
        assertNoSecret(node.encode());
    }

    private static void assertNoSecret(String text) {
        for (String s : SECRETS) {
            assertFalse(text.contains(s), () -> "secret " + s + " leaked in " + text);
        }
    }

    private static JsonObject find(JsonObject page, String uuid) {
        return page.getJsonArray("nodes").stream()
                .map(JsonObject.class::cast)
                .filter(n -> uuid.equals(n.getString("uuid")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(uuid + " not in " + page.encode()));
    }

    @Test
    void everyNodeResponseMasksSecrets() {
        ApiTestBase.Resp created =
                post("/v1/nodes", secretNode("secret-1")).v(LATEST).expect(201);
        assertMasked(created.json());
        String uuid = created.json().getString("uuid");
        assertMasked(get("/v1/nodes/" + uuid).v(LATEST).expect(200).json());
        assertMasked(get("/v1/nodes/secret-1").v(LATEST).expect(200).json());
        assertMasked(find(get("/v1/nodes/detail").v(LATEST).expect(200).json(), uuid));
        assertMasked(find(get("/v1/nodes?detail=true").v(LATEST).expect(200).json(), uuid));
        assertMasked(find(
                get("/v1/nodes?fields=uuid,driver_info,instance_info,extra")
                        .v(LATEST)
                        .expect(200)
                        .json(),
                uuid));
        assertMasked(get("/v1/nodes/" + uuid + "?fields=driver_info,instance_info,extra")
                .v(LATEST)
                .expect(200)
                .json());
        // the row keeps the real values, encrypted (docs/security.md): the conductor needs them
        assertEquals(
                "hunter2-pw", storedSecret("SELECT driver_info->>'ipmi_password' FROM nodes WHERE uuid = ?", uuid));
        assertEquals(
                "CONFIGDRIVE-BLOB",
                storedSecret("SELECT instance_info->>'configdrive' FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void patchResponseMasksSecrets() {
        String uuid = createNode(secretNode("secret-2")).getString("uuid");
        JsonObject patched = patch(
                        "/v1/nodes/" + uuid,
                        patchOps(op("add", "/driver_info/bmc_password", "bmc-pw-2"), op("add", "/extra/rack", "r1")))
                .v(LATEST)
                .expect(200)
                .json();
        assertMasked(patched);
        assertEquals("******", patched.getJsonObject("driver_info").getString("bmc_password"));
        assertEquals("bmc-pw-2", storedSecret("SELECT driver_info->>'bmc_password' FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void eventPayloadsMaskSecrets() {
        String uuid = createNode(secretNode("secret-3")).getString("uuid");
        patch("/v1/nodes/" + uuid, patchOps(op("add", "/driver_info/bmc_password", "bmc-pw-2")))
                .v(LATEST)
                .expect(200);
        put("/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "swap"))
                .v(LATEST)
                .expect(202);
        delete("/v1/nodes/" + uuid + "/maintenance").v(LATEST).expect(202);
        delete("/v1/nodes/" + uuid).v(LATEST).expect(204);
        List<Object> types = column("SELECT event_type FROM events WHERE node_uuid = ? ORDER BY seq", uuid);
        assertEquals(
                List.of(
                        "baremetal.node.create.end",
                        "baremetal.node.update.end",
                        "baremetal.node.maintenance_set.start",
                        "baremetal.node.maintenance_set.end",
                        "baremetal.node.maintenance_set.start",
                        "baremetal.node.maintenance_set.end",
                        "baremetal.node.delete.end"),
                types);
        List<Object> payloads = column("SELECT payload::text FROM events WHERE node_uuid = ? ORDER BY seq", uuid);
        for (Object p : payloads) {
            assertNoSecret((String) p);
            JsonObject payload = new JsonObject((String) p);
            assertEquals("******", payload.getJsonObject("driver_info").getString("ipmi_password"), (String) p);
            assertEquals("******", payload.getJsonObject("instance_info").getString("configdrive"), (String) p);
            assertEquals(uuid, payload.getString("uuid"));
        }
    }

    @Test
    void childResourcesMaskSecretsInTheirDocuments() {
        String uuid = createNode("secret-children").getString("uuid");
        JsonObject port = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("address", "52:54:00:5e:00:01")
                                .put(
                                        "extra",
                                        new JsonObject()
                                                .put("switch_password", "bmc-pw-2")
                                                .put("vlan", 42)))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals("******", port.getJsonObject("extra").getString("switch_password"));
        assertEquals(42, port.getJsonObject("extra").getInteger("vlan"));
        JsonObject target = post(
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("volume_type", "iscsi")
                                .put("volume_id", "v1")
                                .put("boot_index", 0)
                                .put(
                                        "properties",
                                        new JsonObject()
                                                .put("auth_password", "chap-secret")
                                                .put("auth_username", "chap")))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals("******", target.getJsonObject("properties").getString("auth_password"));
        assertEquals("chap", target.getJsonObject("properties").getString("auth_username"));
        assertNoSecret(get("/v1/ports/detail").v(LATEST).expect(200).body().toString());
        assertNoSecret(
                get("/v1/volume/targets/detail").v(LATEST).expect(200).body().toString());
        assertNoSecret(get("/v1/volume/targets/" + target.getString("uuid"))
                .v(LATEST)
                .expect(200)
                .body()
                .toString());
        assertTrue(get("/v1/ports/" + port.getString("uuid"))
                .v(LATEST)
                .expect(200)
                .body()
                .toString()
                .contains("\"switch_password\":\"******\""));
    }
}
