package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The API's checks of clean_steps and deploy_steps (Ironic's _check_steps and check_allow_deploy_steps). */
class ProvisionStepsApiTest extends ApiTestBase {
    private String node(String name, String state) {
        String uuid = createNode(name).getString("uuid");
        sql("UPDATE nodes SET provision_state = ? WHERE uuid = ?", state, uuid);
        return uuid;
    }

    private Resp provision(String uuid, String version, JsonObject body) {
        return put("/v1/nodes/" + uuid + "/states/provision", body).v(version).send();
    }

    @Test
    void malformedCleanStepsAre400AndChangeNothing() {
        String uuid = node("steps-clean", "manageable");
        var before = counts();
        assertError(
                provision(
                        uuid,
                        LATEST,
                        new JsonObject()
                                .put("target", "clean")
                                .put(
                                        "clean_steps",
                                        new JsonArray().add(new JsonObject().put("step", "erase_devices")))),
                400,
                "Invalid clean_steps: 'interface' is a required property");
        assertError(
                provision(
                        uuid,
                        LATEST,
                        new JsonObject()
                                .put("target", "clean")
                                .put(
                                        "clean_steps",
                                        new JsonArray()
                                                .add(new JsonObject()
                                                        .put("interface", "inspect")
                                                        .put("step", "x")))),
                400,
                "Invalid clean_steps: 'inspect' is not one of ['vendor', 'power', 'management', 'firmware', 'deploy',"
                        + " 'bios', 'raid']");
        assertEquals(before, counts());
        assertEquals("manageable", scalar("SELECT provision_state FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void deployStepsOnlyWithActiveOrRebuildFrom169AndWellFormed() {
        String uuid = node("steps-deploy", "available");
        JsonArray ok = new JsonArray()
                .add(new JsonObject()
                        .put("interface", "deploy")
                        .put("step", "deploy")
                        .put("args", new JsonObject())
                        .put("priority", 100));
        assertError(
                provision(uuid, LATEST, new JsonObject().put("target", "manage").put("deploy_steps", ok)),
                400,
                "\"deploy_steps\" is only valid when setting target provision state to active or rebuild");
        assertError(
                provision(uuid, "1.68", new JsonObject().put("target", "active").put("deploy_steps", ok)), 406, "1.69");
        JsonArray bad = new JsonArray().add(ok.getJsonObject(0).copy().put("priority", -5));
        assertError(
                provision(uuid, LATEST, new JsonObject().put("target", "active").put("deploy_steps", bad)),
                400,
                "Invalid deploy_steps: -5 is not valid under any of the given schemas");
        assertEquals("available", scalar("SELECT provision_state FROM nodes WHERE uuid = ?", uuid));
    }
}
