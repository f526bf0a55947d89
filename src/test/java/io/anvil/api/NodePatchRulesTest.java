package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The node semantics clients test, each against the rule of Ironic's {@code ironic/api/controllers/v1/node.py}
 * (NodesController.post/patch) or {@code ironic/conductor/manager.py} (update_node) it mirrors; docs/api.md lists
 * them rule by rule.
 */
class NodePatchRulesTest extends ApiTestBase {

    private String node(String name, String state) {
        String uuid = createNode(name).getString("uuid");
        if (state != null) {
            sql("UPDATE nodes SET provision_state = ? WHERE uuid = ?", state, uuid);
        }
        return uuid;
    }

    private Resp patchOne(String uuid, String version, JsonObject op) {
        return patch("/v1/nodes/" + uuid, patchOps(op)).v(version).send();
    }

    @Test
    void aNewNodeHasNoPowerStateUntilAPowerActionSetsIt() {
        String uuid = createNode("power-unknown").getString("uuid");
        assertNull(get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getValue("power_state"));
        assertTrue(get("/v1/nodes/" + uuid + "/states")
                .v(LATEST)
                .expect(200)
                .json()
                .containsKey("power_state"));
        assertNull(get("/v1/nodes/" + uuid + "/states")
                .v(LATEST)
                .expect(200)
                .json()
                .getValue("power_state"));
        // manage reads the power state through the fake power interface, which reports what is recorded: nothing
        put("/v1/nodes/" + uuid + "/states/provision", new JsonObject().put("target", "manage"))
                .v(LATEST)
                .expect(202);
        Conditions.await(
                vertx, "node " + uuid + " manageable", Duration.ofSeconds(20), Duration.ofMillis(50), () -> "manageable"
                        .equals(scalar("SELECT provision_state FROM nodes WHERE uuid = ?", uuid)));
        assertNull(get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getValue("power_state"));
        put("/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"))
                .v(LATEST)
                .expect(202);
        Conditions.await(
                vertx, "node " + uuid + " powered on", Duration.ofSeconds(20), Duration.ofMillis(50), () -> "power on"
                        .equals(scalar("SELECT power_state FROM nodes WHERE uuid = ?", uuid)));
    }

    @Test
    void retiredIsRefusedOnAnAvailableNode() {
        String uuid = node("retire-available", "available");
        assertError(
                patchOne(uuid, LATEST, op("replace", "/retired", true)),
                409,
                "can not have 'retired' set in provision state 'available'");
        assertEquals(false, scalar("SELECT retired FROM nodes WHERE uuid = ?", uuid));
        assertError(
                patchOne(uuid, LATEST, op("replace", "/retired_reason", "eol")),
                400,
                "The retired_reason field can only be set when retired is True");
        String manageable = node("retire-manageable", "manageable");
        JsonObject r = patch(
                        "/v1/nodes/" + manageable,
                        patchOps(op("replace", "/retired", true), op("replace", "/retired_reason", "eol")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(true, r.getBoolean("retired"));
        assertEquals("eol", r.getString("retired_reason"));
        assertError(patchOne(manageable, "1.60", op("replace", "/retired", false)), 406, null);
        JsonObject back =
                patchOne(manageable, LATEST, op("replace", "/retired", false)).json();
        assertNull(back.getValue("retired_reason"));
    }

    @Test
    void noUpdateDuringAStateTransitionExceptInTheUpdateAllowedStates() {
        String deploying = node("transition-deploying", "deploying");
        sql("UPDATE nodes SET target_provision_state = 'active' WHERE uuid = ?", deploying);
        assertError(
                patchOne(deploying, LATEST, op("add", "/extra/a", "b")),
                409,
                "can not be updated while a state transition is in progress.");
        assertEquals("{}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", deploying));
        // only removing instance_uuid in maintenance gets through
        String instance = UUID.randomUUID().toString();
        sql("UPDATE nodes SET maintenance = true, instance_uuid = ?::uuid WHERE uuid = ?", instance, deploying);
        assertError(patchOne(deploying, LATEST, op("add", "/extra/a", "b")), 409, "state transition is in progress");
        assertNull(patchOne(deploying, LATEST, remove("/instance_uuid")).json().getValue("instance_uuid"));

        // deploy failed is one of UPDATE_ALLOWED_STATES
        String failed = node("transition-failed", "deploy failed");
        sql("UPDATE nodes SET target_provision_state = 'active' WHERE uuid = ?", failed);
        assertEquals(
                "b",
                patchOne(failed, LATEST, op("add", "/extra/a", "b"))
                        .json()
                        .getJsonObject("extra")
                        .getString("a"));
    }

    @Test
    void inspectingRefusesUpdatesFrom139() {
        String uuid = node("inspecting-node", "inspecting");
        assertError(
                patchOne(uuid, LATEST, op("add", "/extra/a", "b")),
                409,
                "Cannot update node \"" + uuid + "\" while it is in state \"inspecting\".");
        assertEquals(200, patchOne(uuid, "1.38", op("add", "/extra/a", "b")).status());
    }

    @Test
    void fieldsAndVersions() {
        String uuid = node("fields-node", null);
        // not patchable at all: 400 naming what is
        for (String path : new String[] {"/uuid", "/provision_state", "/traits", "/maintenance_reason", "/flavour"}) {
            assertError(
                    patchOne(uuid, LATEST, op("add", path, "x")),
                    400,
                    "Cannot patch " + path + ". Only the following can be updated:");
        }
        // newer than the microversion: 406, on create too
        assertError(patchOne(uuid, "1.64", op("replace", "/lessee", "p")), 406, null);
        assertError(patchOne(uuid, "1.4", op("replace", "/name", "n")), 406, null);
        assertError(patchOne(uuid, LATEST, op("replace", "/shard", "s")), 406, null);
        assertError(patchOne(uuid, LATEST, op("replace", "/firmware_interface", "no-firmware")), 406, null);
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("owner", "p"))
                        .v("1.49")
                        .send(),
                406,
                null);
        assertEquals(200, patchOne(uuid, "1.65", op("replace", "/lessee", "p")).status());
        assertEquals(200, patchOne(uuid, "1.50", op("replace", "/owner", "o")).status());
    }

    @Test
    void names() {
        String uuid = node("name-node", null);
        for (String reserved : new String[] {"detail", "validate", "states", "maintenance", "management"}) {
            assertError(
                    patchOne(uuid, LATEST, op("replace", "/name", reserved)),
                    400,
                    "The word \"" + reserved + "\" is reserved and can not be used as a node name.");
            assertError(
                    post(
                                    "/v1/nodes",
                                    new JsonObject()
                                            .put("driver", "fake-hardware")
                                            .put("name", reserved))
                            .v(LATEST)
                            .send(),
                    400,
                    "is reserved");
        }
        assertError(patchOne(uuid, LATEST, op("replace", "/name", "has space")), 400, null);
        assertError(
                patchOne(uuid, LATEST, op("replace", "/name", UUID.randomUUID().toString())), 400, null);
        createNode("name-taken");
        assertError(patchOne(uuid, LATEST, op("replace", "/name", "name-taken")), 409, "name-taken");
        assertEquals("name-node", scalar("SELECT name FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void instanceUuidIsNotOverwritten() {
        String uuid = node("instance-node", "active");
        String first = UUID.randomUUID().toString();
        assertEquals(
                200, patchOne(uuid, LATEST, op("add", "/instance_uuid", first)).status());
        assertError(
                patchOne(
                        uuid,
                        LATEST,
                        op("replace", "/instance_uuid", UUID.randomUUID().toString())),
                409,
                "is associated with instance " + first);
        String other = node("instance-other", "active");
        assertError(patchOne(other, LATEST, op("add", "/instance_uuid", first)), 409, first);
        assertError(patchOne(other, LATEST, op("add", "/instance_uuid", "not-a-uuid")), 400, null);
    }

    @Test
    void resourceClassAndProtection() {
        String uuid = node("rc-node", null);
        assertEquals(
                200,
                patchOne(uuid, LATEST, op("add", "/resource_class", "gold")).status());
        sql("UPDATE nodes SET provision_state = 'active' WHERE uuid = ?", uuid);
        assertError(
                patchOne(uuid, LATEST, op("replace", "/resource_class", "silver")),
                409,
                "can not have resource_class updated unless it is in one of allowed");
        assertEquals("gold", scalar("SELECT resource_class FROM nodes WHERE uuid = ?", uuid));
        // protected: active or rescue only; while protected the node cannot be deleted
        assertEquals(
                200, patchOne(uuid, LATEST, op("replace", "/protected", true)).status());
        assertError(delete("/v1/nodes/" + uuid).v(LATEST).send(), 400, "is protected");
        assertError(patchOne(uuid, "1.47", op("replace", "/protected", false)), 406, null);
        // owner and lessee may change on an active node (no policy here denies it)
        JsonObject owned = patch(
                        "/v1/nodes/" + uuid,
                        patchOps(op("replace", "/owner", "proj-a"), op("replace", "/lessee", "proj-b")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(
                Map.of("owner", "proj-a", "lessee", "proj-b"),
                Map.of("owner", owned.getString("owner"), "lessee", owned.getString("lessee")));
    }

    @Test
    void interfacesNeedAnUpdateStateOrMaintenance() {
        String uuid = node("iface-rules", "active");
        assertError(
                patchOne(uuid, LATEST, op("replace", "/network_interface", "noop")),
                409,
                "can not have network_interface updated unless it is in one of allowed (enroll, inspecting,"
                        + " inspect wait, manageable, available) states or in maintenance mode. Current state is"
                        + " 'active'.");
        sql("UPDATE nodes SET maintenance = true WHERE uuid = ?", uuid);
        assertEquals(
                200,
                patchOne(uuid, LATEST, op("replace", "/deploy_interface", "fake"))
                        .status());
        assertError(patchOne(uuid, LATEST, op("replace", "/boot_interface", "pxe-nope")), 400, "pxe-nope");
    }
}
