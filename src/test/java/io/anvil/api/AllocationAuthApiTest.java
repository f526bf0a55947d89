package io.anvil.api;

import static io.anvil.testsupport.TestCredentials.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Project members create their own allocations, as Ironic's policy allows ({@code baremetal:allocation:create} is
 * ALLOCATION_CREATOR; docs/security.md#roles): the allocation is owned by the member's project, takes only nodes
 * that project owns or leases, and is listed, shown, changed and deleted by that project's members alone; another
 * project's node cannot be named, another owner cannot be claimed; readers create nothing; an admin is unaffected.
 */
class AllocationAuthApiTest extends ApiTestBase {
    private static final String PASSWORD = "s3cret-pw";

    @Override
    protected Map<String, Object> extraConfig() {
        return httpBasic(
                PASSWORD,
                List.of("root", "alice", "bob", "rita", "lena"),
                List.of("alice=member:proj-a", "bob=member:proj-b", "rita=reader:proj-a", "lena=member:proj-l"));
    }

    private Req as(String user, Req r) {
        return r.header("Authorization", basic(user, PASSWORD)).v(LATEST);
    }

    /** An available, powered-off node of resource class {@code rc}, owned (and leased) as given. */
    private String availableNode(String name, String rc, String owner, String lessee) {
        JsonObject body = new JsonObject()
                .put("driver", "fake-hardware")
                .put("name", name)
                .put("owner", owner);
        if (lessee != null) {
            body.put("lessee", lessee);
        }
        String uuid = as("root", post("/v1/nodes", body)).expect(201).json().getString("uuid");
        sql(
                "UPDATE nodes SET provision_state = 'available', power_state = 'power off', resource_class = ?"
                        + " WHERE uuid = ?::uuid",
                rc,
                uuid);
        return uuid;
    }

    private JsonObject settled(String user, String uuid) {
        JsonObject[] last = new JsonObject[1];
        Conditions.await(
                vertx, "allocation " + uuid + " processed", Duration.ofSeconds(30), Duration.ofMillis(50), () -> {
                    last[0] =
                            as(user, get("/v1/allocations/" + uuid)).expect(200).json();
                    return !"allocating".equals(last[0].getString("state"));
                });
        return last[0];
    }

    private Resp allocate(String user, JsonObject body) {
        return as(user, post("/v1/allocations", body)).send();
    }

    private static Set<String> uuids(JsonObject list) {
        Set<String> out = new HashSet<>();
        list.getJsonArray("allocations").forEach(a -> out.add(((JsonObject) a).getString("uuid")));
        return out;
    }

    @Test
    void aMemberCreatesListsShowsAndDeletesItsProjectsAllocationsOnly() {
        String nodeA = availableNode("alloc-auth-a", "rc-auth", "proj-a", null);
        String nodeB = availableNode("alloc-auth-b", "rc-auth", "proj-b", null);

        // alice's allocation is proj-a's and can only land on proj-a's node, although proj-b's matches as well
        JsonObject mine = as("alice", post("/v1/allocations", new JsonObject().put("resource_class", "rc-auth")))
                .expect(201)
                .json();
        assertEquals("proj-a", mine.getString("owner"), mine::encode);
        JsonObject done = settled("alice", mine.getString("uuid"));
        assertEquals("active", done.getString("state"), done::encode);
        assertEquals(nodeA, done.getString("node_uuid"), done::encode);

        // bob's takes proj-b's node; neither sees, changes or deletes the other's allocation
        JsonObject his = as("bob", post("/v1/allocations", new JsonObject().put("resource_class", "rc-auth")))
                .expect(201)
                .json();
        assertEquals(nodeB, settled("bob", his.getString("uuid")).getString("node_uuid"));
        assertEquals(
                Set.of(mine.getString("uuid")),
                uuids(as("alice", get("/v1/allocations")).expect(200).json()));
        assertEquals(
                Set.of(his.getString("uuid")),
                uuids(as("bob", get("/v1/allocations")).expect(200).json()));
        assertError(as("bob", get("/v1/allocations/" + mine.getString("uuid"))).send(), 404, "could not be found");
        assertError(
                as("bob", delete("/v1/allocations/" + mine.getString("uuid"))).send(), 404, "could not be found");
        assertError(
                as("bob", patch("/v1/allocations/" + mine.getString("uuid"), patchOps(op("add", "/extra/x", "y"))))
                        .send(),
                404,
                "could not be found");
        // the admin sees both
        assertEquals(
                Set.of(mine.getString("uuid"), his.getString("uuid")),
                uuids(as("root", get("/v1/allocations")).expect(200).json()));

        // its own: changed and deleted by its members; a reader of the project only reads it
        as("alice", patch("/v1/allocations/" + mine.getString("uuid"), patchOps(op("add", "/extra/rack", "r1"))))
                .expect(200);
        as("rita", get("/v1/allocations/" + mine.getString("uuid"))).expect(200);
        assertError(
                as("rita", delete("/v1/allocations/" + mine.getString("uuid"))).send(), 403, "Access was denied");
        assertError(
                as("rita", post("/v1/allocations", new JsonObject().put("resource_class", "rc-auth")))
                        .send(),
                403,
                "Access was denied");
        as("alice", delete("/v1/allocations/" + mine.getString("uuid"))).expect(204);
        as("bob", delete("/v1/allocations/" + his.getString("uuid"))).expect(204);
        assertError(as("root", get("/v1/allocations/" + mine.getString("uuid"))).send(), 404, "could not be found");
    }

    @Test
    void aMemberCannotTakeAnotherProjectsNodeNorClaimAnotherOwner() {
        String nodeB = availableNode("alloc-deny-b", "rc-deny", "proj-b", null);
        String leased = availableNode("alloc-deny-leased", "rc-lease", "proj-b", "proj-l");

        // no candidate of another project, by UUID or by name: concealed as not found (400, Ironic's check_node_list)
        for (String ident : List.of(nodeB, "alloc-deny-b")) {
            assertError(
                    allocate(
                            "alice",
                            new JsonObject()
                                    .put("resource_class", "rc-deny")
                                    .put("candidate_nodes", new JsonArray().add(ident))),
                    400,
                    "Nodes cannot be found: " + ident);
        }
        // no backfill onto it either
        assertError(
                as("alice", post("/v1/allocations", new JsonObject().put("node", nodeB)))
                        .send(),
                400,
                "Node " + nodeB + " could not be found");
        // no allocation for another project
        assertError(
                as(
                                "alice",
                                post(
                                        "/v1/allocations",
                                        new JsonObject()
                                                .put("resource_class", "rc-deny")
                                                .put("owner", "proj-b")))
                        .send(),
                403,
                "not matching the requester Project ID proj-a");
        // without candidates, a matching node of another project is simply not there: the allocation fails
        JsonObject none = as("alice", post("/v1/allocations", new JsonObject().put("resource_class", "rc-deny")))
                .expect(201)
                .json();
        JsonObject failed = settled("alice", none.getString("uuid"));
        assertEquals("error", failed.getString("state"), failed::encode);
        assertEquals(null, failed.getString("node_uuid"));
        assertEquals(null, scalar("SELECT instance_uuid FROM nodes WHERE uuid = ?::uuid", nodeB));

        // a lessee's member may take the node its project leases
        JsonObject lease = as(
                        "lena",
                        post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("resource_class", "rc-lease")
                                        .put("candidate_nodes", new JsonArray().add(leased))))
                .expect(201)
                .json();
        assertEquals("proj-l", lease.getString("owner"));
        assertEquals(leased, settled("lena", lease.getString("uuid")).getString("node_uuid"));

        // the admin is unaffected: any owner, any node
        JsonObject admin = as(
                        "root",
                        post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("resource_class", "rc-deny")
                                        .put("owner", "proj-z")
                                        .put("candidate_nodes", new JsonArray().add(nodeB))))
                .expect(201)
                .json();
        assertEquals("proj-z", admin.getString("owner"));
        JsonObject taken = settled("root", admin.getString("uuid"));
        assertEquals("error", taken.getString("state"), "proj-z neither owns nor leases it: " + taken.encode());
        JsonObject adminNoOwner = as(
                        "root",
                        post(
                                "/v1/allocations",
                                new JsonObject()
                                        .put("resource_class", "rc-deny")
                                        .put("candidate_nodes", new JsonArray().add(nodeB))))
                .expect(201)
                .json();
        assertEquals(null, adminNoOwner.getString("owner"));
        assertEquals(nodeB, settled("root", adminNoOwner.getString("uuid")).getString("node_uuid"));
    }
}
