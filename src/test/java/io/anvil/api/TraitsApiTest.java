package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /v1/nodes/{node}/traits (1.37) as Ironic's NodeTraitsController serves it, and traits in node views. */
class TraitsApiTest extends ApiTestBase {
    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("conductor.api_lock_wait", 0.3);
    }

    private JsonArray traitsOf(String node) {
        return get("/v1/nodes/" + node + "/traits").v(LATEST).expect(200).json().getJsonArray("traits");
    }

    private long updateEvents(String node) {
        return ((Number) scalar(
                        "SELECT count(*) FROM events WHERE event_type = 'baremetal.node.update.end' AND node_uuid = ?",
                        node))
                .longValue();
    }

    @Test
    void replaceAddRemoveAndClear() {
        String uuid = createNode("traits-basic").getString("uuid");
        assertEquals(new JsonArray(), traitsOf(uuid));

        put(
                        "/v1/nodes/traits-basic/traits",
                        new JsonObject()
                                .put("traits", new JsonArray(List.of("CUSTOM_GPU", "HW_CPU_X86_AVX2", "CUSTOM_GPU"))))
                .v(LATEST)
                .expect(204);
        assertEquals(new JsonArray(List.of("CUSTOM_GPU", "HW_CPU_X86_AVX2")), traitsOf(uuid));
        assertEquals(1, updateEvents(uuid));

        Resp added =
                put("/v1/nodes/traits-basic/traits/CUSTOM_RAID", null).v(LATEST).expect(204);
        assertEquals(base + "/v1/nodes/traits-basic/traits/CUSTOM_RAID", added.header("Location"));
        assertEquals(0, added.body().length());
        // adding one it already has changes nothing
        put("/v1/nodes/" + uuid + "/traits/CUSTOM_RAID", null).v(LATEST).expect(204);
        assertEquals(new JsonArray(List.of("CUSTOM_GPU", "CUSTOM_RAID", "HW_CPU_X86_AVX2")), traitsOf(uuid));
        assertEquals(2, updateEvents(uuid));

        delete("/v1/nodes/" + uuid + "/traits/CUSTOM_GPU").v(LATEST).expect(204);
        assertEquals(new JsonArray(List.of("CUSTOM_RAID", "HW_CPU_X86_AVX2")), traitsOf(uuid));
        assertError(
                delete("/v1/nodes/" + uuid + "/traits/CUSTOM_GPU").v(LATEST).send(),
                404,
                "Node " + uuid + " doesn't have a trait 'CUSTOM_GPU'");

        // the node views show them from 1.37
        JsonObject node = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        assertEquals(new JsonArray(List.of("CUSTOM_RAID", "HW_CPU_X86_AVX2")), node.getJsonArray("traits"));
        JsonObject listed = get("/v1/nodes?fields=uuid,traits&associated=false")
                .v(LATEST)
                .expect(200)
                .json();
        assertTrue(
                listed.getJsonArray("nodes").stream()
                        .anyMatch(o -> ((JsonObject) o).getJsonArray("traits").contains("CUSTOM_RAID")),
                listed::encode);
        assertFalse(get("/v1/nodes/" + uuid).v("1.36").expect(200).json().containsKey("traits"));
        assertError(get("/v1/nodes?fields=traits").v("1.36").send(), 400, "traits");

        delete("/v1/nodes/" + uuid + "/traits").v(LATEST).expect(204);
        assertEquals(new JsonArray(), traitsOf(uuid));
        assertEquals("[]", scalar("SELECT traits::text FROM nodes WHERE uuid = ?", uuid));
        // an empty list replaces too
        put("/v1/nodes/" + uuid + "/traits/CUSTOM_X", null).v(LATEST).expect(204);
        put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray()))
                .v(LATEST)
                .expect(204);
        assertEquals(new JsonArray(), traitsOf(uuid));
    }

    @Test
    void namesAreValidatedAsIronicDoes() {
        String uuid = createNode("traits-names").getString("uuid");
        for (String bad : List.of("custom_lower", "CUSTOM_", "CUSTOM_WITH-DASH", "NOT_A_STANDARD_TRAIT", "HW_CPU")) {
            assertError(
                    put("/v1/nodes/" + uuid + "/traits/" + bad, null).v(LATEST).send(), 400, bad);
            assertError(
                    put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray().add(bad)))
                            .v(LATEST)
                            .send(),
                    400,
                    bad);
        }
        String longest = "CUSTOM_" + "A".repeat(248);
        put("/v1/nodes/" + uuid + "/traits/" + longest, null).v(LATEST).expect(204);
        assertError(
                put("/v1/nodes/" + uuid + "/traits/" + longest + "B", null)
                        .v(LATEST)
                        .send(),
                400,
                null);
        // standard os-traits names from several namespaces
        for (String standard : List.of("COMPUTE_DEVICE_TAGGING", "HW_NIC_SRIOV", "STORAGE_DISK_SSD")) {
            put("/v1/nodes/" + uuid + "/traits/" + standard, null).v(LATEST).expect(204);
        }
        assertEquals(4, traitsOf(uuid).size());
        // bodies
        assertError(
                put("/v1/nodes/" + uuid + "/traits", new JsonObject()).v(LATEST).send(),
                400,
                "A single node trait may be added via PUT");
        assertError(put("/v1/nodes/" + uuid + "/traits", null).v(LATEST).send(), 400, "A single node trait");
        assertError(
                put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", "CUSTOM_A"))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertError(
                put(
                                "/v1/nodes/" + uuid + "/traits",
                                new JsonObject().put("traits", new JsonArray()).put("extra", 1))
                        .v(LATEST)
                        .send(),
                400,
                "extra");
        assertError(
                put("/v1/nodes/" + uuid + "/traits/CUSTOM_B", new JsonObject().put("traits", new JsonArray()))
                        .v(LATEST)
                        .send(),
                400,
                "No body should be provided when adding a trait");
        assertEquals(4, traitsOf(uuid).size());
    }

    @Test
    void atMostFiftyTraits() {
        String uuid = createNode("traits-many").getString("uuid");
        List<String> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add("CUSTOM_T" + i);
        }
        put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray(fifty)))
                .v(LATEST)
                .expect(204);
        assertError(
                put("/v1/nodes/" + uuid + "/traits/CUSTOM_ONE_MORE", null)
                        .v(LATEST)
                        .send(),
                400,
                "would exceed the maximum number of traits per node (51 vs. 50)");
        List<String> many = new ArrayList<>(fifty);
        many.add("CUSTOM_EXTRA");
        assertError(
                put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray(many)))
                        .v(LATEST)
                        .send(),
                400,
                "(51 vs. 50)");
        assertEquals(50, traitsOf(uuid).size());
        assertFalse(traitsOf(uuid).contains("CUSTOM_ONE_MORE"));
    }

    @Test
    void notThereBefore137AndPatchCannotChangeThem() {
        String uuid = createNode("traits-old").getString("uuid");
        assertError(get("/v1/nodes/" + uuid + "/traits").v("1.36").send(), 404, null);
        assertError(
                put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray()))
                        .v("1.36")
                        .send(),
                404,
                null);
        assertError(
                put("/v1/nodes/" + uuid + "/traits/CUSTOM_A", null).v("1.36").send(), 404, null);
        assertError(delete("/v1/nodes/" + uuid + "/traits/CUSTOM_A").v("1.36").send(), 404, null);
        assertError(delete("/v1/nodes/" + uuid + "/traits").v("1.36").send(), 404, null);
        get("/v1/nodes/" + uuid + "/traits").v("1.37").expect(200);
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("add", "/traits", new JsonArray().add("CUSTOM_A"))))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot patch /traits");
        assertEquals(new JsonArray(), traitsOf(uuid));
    }

    @Test
    void unknownNodesAndBadIdentifiers() {
        assertError(get("/v1/nodes/no-such-node/traits").v(LATEST).send(), 404, "no-such-node");
        assertError(
                put("/v1/nodes/no-such-node/traits/CUSTOM_A", null).v(LATEST).send(), 404, "no-such-node");
        assertError(delete("/v1/nodes/no-such-node/traits").v(LATEST).send(), 404, "no-such-node");
        assertError(get("/v1/nodes/bad%20name/traits").v(LATEST).send(), 400, null);
    }

    @Test
    void aLockedNodeKeepsItsTraits() {
        String uuid = createNode("traits-locked").getString("uuid");
        put("/v1/nodes/" + uuid + "/traits/CUSTOM_KEPT", null).v(LATEST).expect(204);
        // another holder of the node's exclusive lock: each change waits its bounded turn, then Ironic's NodeLocked
        LockLease holder = await(anvil.conductor()
                .locks()
                .acquire(uuid, LockRequest.exclusive("serial console").tryOnce()));
        long events = updateEvents(uuid);
        for (Resp r : List.of(
                put("/v1/nodes/" + uuid + "/traits/CUSTOM_A", null).v(LATEST).send(),
                put("/v1/nodes/" + uuid + "/traits", new JsonObject().put("traits", new JsonArray()))
                        .v(LATEST)
                        .send(),
                delete("/v1/nodes/" + uuid + "/traits/CUSTOM_KEPT").v(LATEST).send(),
                delete("/v1/nodes/" + uuid + "/traits").v(LATEST).send())) {
            String msg = assertError(r, 409, "Node " + uuid + " is locked");
            assertTrue(msg.contains("serial console"), msg);
        }
        assertEquals(new JsonArray().add("CUSTOM_KEPT"), traitsOf(uuid));
        assertEquals(events, updateEvents(uuid));
        await(holder.release());
        delete("/v1/nodes/" + uuid + "/traits").v(LATEST).expect(204);
    }
}
