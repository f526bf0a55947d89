package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/allocations} and {@code /v1/nodes/{node}/allocation}: Ironic's choice of a node (resource class, traits,
 * candidates), backfilling, deletion rules, events, the microversion gates, and that allocations racing for the
 * same nodes never share one.
 */
class AllocationApiTest extends ApiTestBase {
    /** A node ready to be allocated: available, powered off, of {@code rc}, with these traits. */
    private String availableNode(String name, String rc, String... traits) {
        String uuid = createNode(name).getString("uuid");
        sql(
                "UPDATE nodes SET provision_state = 'available', power_state = 'power off', resource_class = ?,"
                        + " traits = ?::jsonb WHERE uuid = ?::uuid",
                rc,
                new JsonArray(List.of(traits)).encode(),
                uuid);
        return uuid;
    }

    private JsonObject create(JsonObject body) {
        return post("/v1/allocations", body).v(LATEST).expect(201).json();
    }

    /** Waits until the allocation is no longer allocating and returns it. */
    private JsonObject settled(String uuid) {
        JsonObject[] last = new JsonObject[1];
        Conditions.await(
                vertx, "allocation " + uuid + " processed", Duration.ofSeconds(30), Duration.ofMillis(50), () -> {
                    last[0] =
                            get("/v1/allocations/" + uuid).v(LATEST).expect(200).json();
                    return !"allocating".equals(last[0].getString("state"));
                });
        return last[0];
    }

    private JsonObject node(String uuid) {
        return get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
    }

    private long events(String type) {
        return ((Number) scalar("SELECT count(*) FROM events WHERE event_type = ?", type)).longValue();
    }

    @Test
    void anAllocationTakesAMatchingNodeAndItsDeletionFreesIt() {
        availableNode("alloc-other-rc", "rc-other", "CUSTOM_GOLD");
        availableNode("alloc-no-trait", "rc-a");
        String gold = availableNode("alloc-gold", "rc-a", "CUSTOM_GOLD", "CUSTOM_FAST");
        long created = events("baremetal.allocation.create.end");

        JsonObject a = create(new JsonObject()
                .put("resource_class", "rc-a")
                .put("traits", new JsonArray().add("CUSTOM_GOLD"))
                .put("name", "alloc-one")
                .put("extra", new JsonObject().put("k", "v")));
        assertEquals("allocating", a.getString("state"));
        assertEquals(created + 1, events("baremetal.allocation.create.end"));
        String uuid = a.getString("uuid");
        assertLinks(a.getJsonArray("links"), "allocations/" + uuid);

        JsonObject done = settled(uuid);
        assertEquals("active", done.getString("state"), done.encode());
        assertEquals(gold, done.getString("node_uuid"));
        assertNull(done.getValue("last_error"));
        JsonObject n = node(gold);
        assertEquals(uuid, n.getString("allocation_uuid"));
        assertEquals(uuid, n.getString("instance_uuid"));
        assertEquals(
                new JsonArray().add("CUSTOM_GOLD"),
                n.getJsonObject("instance_info").getJsonArray("traits"));

        assertEquals(
                uuid,
                get("/v1/nodes/" + gold + "/allocation")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getString("uuid"));
        assertEquals(
                uuid,
                get("/v1/allocations/alloc-one").v(LATEST).expect(200).json().getString("uuid"));
        JsonObject some = get("/v1/allocations/" + uuid + "?fields=name,state")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(Set.of("name", "state"), some.fieldNames());

        // an available node's allocation may go; the node is free again
        long deleted = events("baremetal.allocation.delete.end");
        delete("/v1/nodes/" + gold + "/allocation").v(LATEST).expect(204);
        assertEquals(deleted + 1, events("baremetal.allocation.delete.end"));
        n = node(gold);
        assertNull(n.getValue("allocation_uuid"));
        assertNull(n.getValue("instance_uuid"));
        assertError(
                get("/v1/allocations/" + uuid).v(LATEST).send(), 404, "Allocation " + uuid + " could not be found.");
        assertError(
                get("/v1/nodes/" + gold + "/allocation").v(LATEST).send(),
                404,
                "Allocation for node " + gold + " was not found");
    }

    @Test
    void failuresAreRecordedOnTheAllocation() {
        availableNode("alloc-silver", "rc-f", "CUSTOM_SILVER");
        JsonObject none = settled(
                create(new JsonObject().put("resource_class", "rc-none")).getString("uuid"));
        assertEquals("error", none.getString("state"));
        assertEquals(
                "Failed to process allocation " + none.getString("uuid")
                        + ": no available nodes match the resource class rc-none.",
                none.getString("last_error"));
        assertNull(none.getValue("node_uuid"));

        JsonObject traits = settled(create(new JsonObject()
                        .put("resource_class", "rc-f")
                        .put("traits", new JsonArray().add("CUSTOM_BRONZE")))
                .getString("uuid"));
        assertTrue(
                traits.getString("last_error").endsWith("no suitable nodes have the requested traits CUSTOM_BRONZE."),
                traits.encode());

        String other = availableNode("alloc-not-candidate", "rc-other2");
        JsonObject candidates = settled(create(new JsonObject()
                        .put("resource_class", "rc-f")
                        .put("candidate_nodes", new JsonArray().add(other)))
                .getString("uuid"));
        assertTrue(candidates
                .getString("last_error")
                .endsWith("none of the requested nodes are available and match the resource class rc-f."));
        assertEquals(new JsonArray().add(other), candidates.getJsonArray("candidate_nodes"));
    }

    @Test
    void candidatesByNameBecomeUuidsAndBadInputIs400() {
        String named = availableNode("alloc-cand", "rc-c");
        JsonObject a = settled(create(new JsonObject()
                        .put("resource_class", "rc-c")
                        .put("candidate_nodes", new JsonArray().add("alloc-cand")))
                .getString("uuid"));
        assertEquals(new JsonArray().add(named), a.getJsonArray("candidate_nodes"));
        assertEquals(named, a.getString("node_uuid"));

        assertError(
                post("/v1/allocations", new JsonObject()).v(LATEST).send(),
                400,
                "The resource_class field is mandatory when not backfilling");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("resource_class", "x")
                                        .put(
                                                "candidate_nodes",
                                                new JsonArray().add("nope-1").add("nope 2")))
                        .v(LATEST)
                        .send(),
                400,
                "Nodes cannot be found: nope 2");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("resource_class", "x")
                                        .put("candidate_nodes", new JsonArray().add("nope-1")))
                        .v(LATEST)
                        .send(),
                400,
                "Nodes cannot be found: nope-1");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject().put("resource_class", "x").put("name", "bad name"))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot create allocation with invalid name 'bad name'");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject().put("resource_class", "x").put("traits", new JsonArray().add("lower")))
                        .v(LATEST)
                        .send(),
                400,
                "is not valid under any of the given schemas");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject().put("resource_class", "x").put("color", "red"))
                        .v(LATEST)
                        .send(),
                400,
                "'color' was unexpected");
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject().put("resource_class", "x").put("node", named))
                        .v("1.57")
                        .send(),
                400,
                "Cannot set node when creating an allocation in this API version");
        assertError(
                post("/v1/allocations", new JsonObject().put("node", "no-such-node"))
                        .v(LATEST)
                        .send(),
                400,
                "Node no-such-node could not be found.");
        create(new JsonObject().put("resource_class", "x").put("name", "alloc-dup"));
        assertError(
                post(
                                "/v1/allocations",
                                new JsonObject().put("resource_class", "x").put("name", "alloc-dup"))
                        .v(LATEST)
                        .send(),
                409,
                "An allocation with name alloc-dup already exists.");
    }

    @Test
    void backfillRecordsAnActiveNodesAllocation() {
        String active = createNode("alloc-backfill").getString("uuid");
        String instance = "8a8b2f3c-3b84-4b5e-9d3a-5f0d2c1b9a77";
        sql(
                "UPDATE nodes SET provision_state = 'active', power_state = 'power on', resource_class = 'rc-b',"
                        + " instance_uuid = ?::uuid WHERE uuid = ?::uuid",
                instance,
                active);
        JsonObject a = create(new JsonObject().put("node", "alloc-backfill"));
        assertEquals("active", a.getString("state"));
        assertEquals(instance, a.getString("uuid"), "a backfill takes the node's instance_uuid");
        assertEquals("rc-b", a.getString("resource_class"));
        assertEquals(active, a.getString("node_uuid"));
        assertEquals(instance, node(active).getString("allocation_uuid"));

        // an active node's allocation stays while the node is active (Ironic's verify_node_for_deallocation)
        assertError(
                delete("/v1/allocations/" + instance).v(LATEST).send(),
                409,
                "Cannot remove allocation " + instance + " for node " + active
                        + ", because the node is active (and maintenance mode is off)");

        // nor may an active node lose its instance to a PATCH while it has an allocation (update_node)
        assertError(
                patch("/v1/nodes/" + active, patchOps(op("remove", "/instance_uuid", null)))
                        .v(LATEST)
                        .send(),
                409,
                "Node " + active + " with an allocation can not have instance_uuid removed unless it is in one of "
                        + "allowed (enroll, inspecting, inspect wait, manageable, available) states or in "
                        + "maintenance mode. Current state is 'active'.");
        assertEquals(instance, node(active).getString("allocation_uuid"));

        String available = availableNode("alloc-backfill-no", "rc-b");
        Resp refused = post(
                        "/v1/allocations",
                        new JsonObject().put("node", available).put("name", "alloc-bf-bad"))
                .v(LATEST)
                .send();
        // a node in the wrong state is a conflict (Ironic answers 500: docs/api.md#allocations)
        String msg = assertError(refused, 409, "Cannot backfill an allocation for node " + available);
        assertTrue(msg.contains("Node must be in the \"active\" state, but the current state is \"available\""), msg);
        JsonObject failed =
                get("/v1/allocations/alloc-bf-bad").v(LATEST).expect(200).json();
        assertEquals("error", failed.getString("state"));
        assertTrue(failed.getString("last_error").contains("Cannot backfill an allocation"), failed.encode());
        assertNull(node(available).getValue("allocation_uuid"));

        // an active node that does not match the request is a bad request
        String other = createNode("alloc-backfill-rc").getString("uuid");
        sql(
                "UPDATE nodes SET provision_state = 'active', power_state = 'power on', resource_class = 'rc-b'"
                        + " WHERE uuid = ?::uuid",
                other);
        msg = assertError(
                post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("node", other)
                                        .put("resource_class", "rc-z")
                                        .put("name", "alloc-bf-rc"))
                        .v(LATEST)
                        .send(),
                400,
                "Failed to process allocation ");
        assertTrue(msg.contains("Resource class rc-b does not match the requested resource class rc-z"), msg);
        assertNull(node(other).getValue("allocation_uuid"));
    }

    @Test
    void clearingTheInstanceByPatchDeletesTheAllocation() {
        String n = availableNode("alloc-clear", "rc-clear");
        String uuid = settled(create(new JsonObject().put("resource_class", "rc-clear"))
                        .getString("uuid"))
                .getString("uuid");
        assertEquals(uuid, node(n).getString("instance_uuid"));
        long deleted = events("baremetal.allocation.delete.end");

        JsonObject patched = patch("/v1/nodes/" + n, patchOps(op("remove", "/instance_uuid", null)))
                .v(LATEST)
                .expect(200)
                .json();
        assertNull(patched.getValue("instance_uuid"));
        assertNull(patched.getValue("allocation_uuid"));
        assertEquals(deleted + 1, events("baremetal.allocation.delete.end"));
        assertError(
                get("/v1/allocations/" + uuid).v(LATEST).send(), 404, "Allocation " + uuid + " could not be found.");
    }

    @Test
    void listFiltersPatchAndVersions() {
        String n = availableNode("alloc-list", "rc-l");
        // an allocation with an owner takes only nodes that project owns or leases
        sql("UPDATE nodes SET owner = 'proj-1' WHERE uuid = ?::uuid", n);
        JsonObject a =
                settled(create(new JsonObject().put("resource_class", "rc-l").put("owner", "proj-1"))
                        .getString("uuid"));
        String uuid = a.getString("uuid");
        assertEquals("proj-1", a.getString("owner"));
        assertFalse(get("/v1/allocations/" + uuid).v("1.59").expect(200).json().containsKey("owner"));

        JsonArray byNode = get("/v1/allocations?node=alloc-list")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("allocations");
        assertEquals(1, byNode.size());
        assertEquals(uuid, byNode.getJsonObject(0).getString("uuid"));
        assertEquals(
                1,
                get("/v1/allocations?owner=proj-1&state=active&resource_class=rc-l")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getJsonArray("allocations")
                        .size());
        assertError(get("/v1/allocations?owner=proj-1").v("1.59").send(), 406, null);
        assertError(get("/v1/allocations?fields=owner").v("1.59").send(), 406, null);
        assertError(get("/v1/allocations?sort_key=traits").v(LATEST).send(), 400, "invalid field for sorting");
        assertError(
                get("/v1/allocations?node=no-such-node").v(LATEST).send(),
                400,
                "Node no-such-node could not be found.");

        long updates = events("baremetal.allocation.update.end");
        JsonObject patched = patch(
                        "/v1/allocations/" + uuid,
                        patchOps(op("add", "/name", "alloc-renamed"), op("add", "/extra/rack", "r1")))
                .v("1.57")
                .expect(200)
                .json();
        assertEquals("alloc-renamed", patched.getString("name"));
        assertEquals(new JsonObject().put("rack", "r1"), patched.getJsonObject("extra"));
        assertEquals(updates + 1, events("baremetal.allocation.update.end"));
        assertError(
                patch("/v1/allocations/" + uuid, patchOps(op("replace", "/resource_class", "x")))
                        .v(LATEST)
                        .send(),
                400,
                "only /name and /extra");
        assertError(
                patch("/v1/allocations/" + uuid, patchOps(op("replace", "/name", "x y")))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot update allocation with invalid name 'x y'");

        // gates: reads 404 and writes 405 below 1.52, PATCH 405 below 1.57
        assertError(get("/v1/allocations").v("1.51").send(), 404, "The API version does not allow allocations");
        assertError(get("/v1/allocations/" + uuid).v("1.51").send(), 404, null);
        assertError(get("/v1/nodes/" + n + "/allocation").v("1.51").send(), 404, null);
        assertError(delete("/v1/nodes/" + n + "/allocation").v("1.51").send(), 404, null);
        assertError(
                post("/v1/allocations", new JsonObject().put("resource_class", "x"))
                        .v("1.51")
                        .send(),
                405,
                null);
        assertError(delete("/v1/allocations/" + uuid).v("1.51").send(), 405, null);
        assertError(
                patch("/v1/allocations/" + uuid, patchOps(op("add", "/name", "n")))
                        .v("1.56")
                        .send(),
                405,
                null);
        assertError(
                post("/v1/nodes/" + n + "/allocation", new JsonObject())
                        .v(LATEST)
                        .send(),
                405,
                null);
        assertFalse(node(n).containsKey("allocation_uuid")
                && get("/v1/nodes/" + n).v("1.51").expect(200).json().containsKey("allocation_uuid"));
        assertEquals(uuid, node(n).getString("allocation_uuid"));
    }

    /**
     * Twenty allocations race for five nodes: exactly five end active, each on a different node whose row names it,
     * and fifteen end in error; no node is ever given twice.
     */
    @Test
    void racingAllocationsNeverShareANode() {
        Set<String> pool = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            pool.add(availableNode("race-" + i, "rc-race"));
        }
        List<Future<Resp>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(post("/v1/allocations", new JsonObject().put("resource_class", "rc-race"))
                    .v(LATEST)
                    .sendAsync());
        }
        List<String> uuids = new ArrayList<>();
        for (Future<Resp> f : sent) {
            Resp r = await(f);
            assertEquals(201, r.status(), r.toString());
            uuids.add(r.json().getString("uuid"));
        }
        List<JsonObject> done = uuids.stream().map(this::settled).toList();
        List<JsonObject> active =
                done.stream().filter(a -> "active".equals(a.getString("state"))).toList();
        assertEquals(5, active.size(), done.toString());
        assertEquals(
                15,
                done.stream().filter(a -> "error".equals(a.getString("state"))).count());
        Set<String> used = new HashSet<>();
        for (JsonObject a : active) {
            String node = a.getString("node_uuid");
            assertTrue(pool.contains(node), node);
            assertTrue(used.add(node), "node " + node + " given twice");
            assertEquals(a.getString("uuid"), node(node).getString("allocation_uuid"));
            assertEquals(a.getString("uuid"), node(node).getString("instance_uuid"));
        }
        for (JsonObject a : done) {
            if ("error".equals(a.getString("state"))) {
                assertNull(a.getValue("node_uuid"));
                assertTrue(
                        a.getString("last_error").startsWith("Failed to process allocation " + a.getString("uuid")),
                        a.encode());
            }
        }
    }
}
