package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/deploy_templates}: Ironic's schema and messages, views with secrets masked, events, gates; and a
 * deployment whose instance traits name a template running the template's step with its arguments.
 */
class DeployTemplateApiTest extends ApiTestBase {
    private static JsonObject step(String iface, String name, Object priority, JsonObject args) {
        return new JsonObject()
                .put("interface", iface)
                .put("step", name)
                .put("args", args)
                .put("priority", priority);
    }

    private static JsonObject template(String name, JsonObject... steps) {
        return new JsonObject().put("name", name).put("steps", new JsonArray(java.util.List.of((Object[]) steps)));
    }

    private long events(String type) {
        return ((Number) scalar("SELECT count(*) FROM events WHERE event_type = ?", type)).longValue();
    }

    @Test
    void crudWithIronicsViewsAndEvents() {
        long created = events("baremetal.deploy_template.create.end");
        JsonObject t = post(
                        "/v1/deploy_templates",
                        template(
                                        "CUSTOM_CRUD",
                                        step(
                                                "deploy",
                                                "record_args",
                                                "50",
                                                new JsonObject()
                                                        .put("message", "m")
                                                        .put("password", "s3cret")))
                                .put("extra", new JsonObject().put("team", "a")))
                .v(LATEST)
                .expect(201)
                .json();
        String uuid = t.getString("uuid");
        assertLinks(t.getJsonArray("links"), "deploy_templates/" + uuid);
        assertEquals(50, t.getJsonArray("steps").getJsonObject(0).getInteger("priority"), "stored as an integer");
        assertEquals(
                "******",
                t.getJsonArray("steps").getJsonObject(0).getJsonObject("args").getString("password"));
        assertEquals(created + 1, events("baremetal.deploy_template.create.end"));
        String payload = String.valueOf(scalar("SELECT payload::text FROM events WHERE event_type ="
                + " 'baremetal.deploy_template.create.end' ORDER BY seq DESC LIMIT 1"));
        assertTrue(!payload.contains("s3cret") && payload.contains("CUSTOM_CRUD"), payload);

        JsonObject list = get("/v1/deploy_templates").v(LATEST).expect(200).json();
        JsonObject first = list.getJsonArray("deploy_templates").getJsonObject(0);
        assertEquals(Set.of("uuid", "name", "links"), first.fieldNames());
        JsonObject detail =
                get("/v1/deploy_templates?detail=True").v(LATEST).expect(200).json();
        assertTrue(detail.getJsonArray("deploy_templates").getJsonObject(0).containsKey("steps"));
        assertEquals(
                Set.of("name", "steps"),
                get("/v1/deploy_templates/CUSTOM_CRUD?fields=name,steps")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .fieldNames());
        assertError(
                get("/v1/deploy_templates?detail=True&fields=name").v(LATEST).send(),
                400,
                "Can not specify ?detail=True and fields in the same request.");

        JsonObject patched = patch(
                        "/v1/deploy_templates/" + uuid,
                        patchOps(op("replace", "/name", "CUSTOM_RENAMED"), op("replace", "/steps/0/priority", 60)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("CUSTOM_RENAMED", patched.getString("name"));
        assertEquals(60, patched.getJsonArray("steps").getJsonObject(0).getInteger("priority"));
        assertEquals(1, events("baremetal.deploy_template.update.end"));
        assertError(
                patch("/v1/deploy_templates/" + uuid, patchOps(op("replace", "/uuid", uuid)))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertError(
                patch("/v1/deploy_templates/" + uuid, patchOps(op("replace", "/name", "lower")))
                        .v(LATEST)
                        .send(),
                400,
                "is not valid under any of the given schemas");

        post("/v1/deploy_templates", template("CUSTOM_TWO", step("deploy", "record_args", 1, new JsonObject())))
                .v(LATEST)
                .expect(201);
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_TWO", step("deploy", "x", 1, new JsonObject())))
                        .v(LATEST)
                        .send(),
                409,
                "A deploy template with name CUSTOM_TWO already exists.");

        delete("/v1/deploy_templates/CUSTOM_RENAMED").v(LATEST).expect(204);
        assertEquals(1, events("baremetal.deploy_template.delete.end"));
        assertError(
                get("/v1/deploy_templates/" + uuid).v(LATEST).send(),
                404,
                "Deploy template " + uuid + " could not be found.");
    }

    @Test
    void schemaErrorsAndGates() {
        JsonObject ok = step("deploy", "record_args", 10, new JsonObject());
        assertError(
                post("/v1/deploy_templates", template("lower_case", ok))
                        .v(LATEST)
                        .send(),
                400,
                "is not valid under any of the given schemas");
        assertError(
                post("/v1/deploy_templates", new JsonObject().put("name", "CUSTOM_A"))
                        .v(LATEST)
                        .send(),
                400,
                "'steps' is a required property");
        assertError(post("/v1/deploy_templates", template("CUSTOM_A")).v(LATEST).send(), 400, "[] is too short");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", step("inspect", "x", 10, new JsonObject())))
                        .v(LATEST)
                        .send(),
                400,
                "'inspect' is not one of");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", step("deploy", "x", -1, new JsonObject())))
                        .v(LATEST)
                        .send(),
                400,
                "is not valid under any of the given schemas");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", ok.copy().put("extra", 1)))
                        .v(LATEST)
                        .send(),
                400,
                "'extra' was unexpected");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", ok, ok))
                        .v(LATEST)
                        .send(),
                400,
                "Deploy template invalid: Duplicate deploy steps. A template cannot have multiple deploy steps with"
                        + " the same interface and step. Duplicates: interface: deploy, step: record_args.");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", ok).put("color", 1))
                        .v(LATEST)
                        .send(),
                400,
                "'color' was unexpected");

        assertError(
                get("/v1/deploy_templates").v("1.54").send(), 404, "The API version does not allow deploy templates");
        assertError(
                post("/v1/deploy_templates", template("CUSTOM_A", ok)).v("1.54").send(), 405, null);
        assertError(get("/v1/deploy_templates/CUSTOM_A").v(LATEST).send(), 404, null);
    }

    /** A node available to deploy on the fake driver, with these node traits. */
    private String deployable(String name, String traits) {
        String uuid = createNode(name).getString("uuid");
        sql(
                "UPDATE nodes SET provision_state = 'available', power_state = 'power off', traits = ?::jsonb"
                        + " WHERE uuid = ?::uuid",
                traits,
                uuid);
        return uuid;
    }

    @Test
    void aDeployRunsTheStepsOfTheTemplatesItsInstanceTraitsName() {
        post(
                        "/v1/deploy_templates",
                        template(
                                "CUSTOM_NOTE",
                                step(
                                        "deploy",
                                        "record_args",
                                        50,
                                        new JsonObject()
                                                .put("message", "from the template")
                                                .put("count", 3))))
                .v(LATEST)
                .expect(201);
        String node = deployable("tpl-deploy", "[\"CUSTOM_NOTE\"]");
        patch("/v1/nodes/" + node, patchOps(op("add", "/instance_info/traits", new JsonArray().add("CUSTOM_NOTE"))))
                .v(LATEST)
                .expect(200);
        put("/v1/nodes/" + node + "/states/provision", new JsonObject().put("target", "active"))
                .v(LATEST)
                .expect(202);
        JsonObject[] seen = new JsonObject[1];
        Conditions.await(vertx, "node " + node + " active", Duration.ofSeconds(30), Duration.ofMillis(50), () -> {
            seen[0] = get("/v1/nodes/" + node).v(LATEST).expect(200).json();
            return !"deploying".equals(seen[0].getString("provision_state"))
                    && !"wait call-back".equals(seen[0].getString("provision_state"));
        });
        assertEquals("active", seen[0].getString("provision_state"), seen[0].encode());
        assertEquals(
                new JsonObject().put("message", "from the template").put("count", 3),
                seen[0].getJsonObject("driver_internal_info").getJsonObject("fake_deploy_step_args"));
        assertTrue(
                !seen[0].getJsonObject("driver_internal_info").containsKey("deploy_template_steps"),
                "the deploy's template steps are gone with the deploy");
    }

    @Test
    void aDeployIsRefusedWhenATemplateStepIsInvalidForTheNodeOrTheTraitIsNotTheNodes() {
        // record_args needs its "message"; a step the node does not offer at all is refused once the node's whole
        // step list is known (an agent deploy, after the agent reported its steps), as Ironic's skip_missing does
        post("/v1/deploy_templates", template("CUSTOM_BAD", step("deploy", "record_args", 10, new JsonObject())))
                .v(LATEST)
                .expect(201);
        String node = deployable("tpl-bad", "[\"CUSTOM_BAD\"]");
        patch("/v1/nodes/" + node, patchOps(op("add", "/instance_info/traits", new JsonArray().add("CUSTOM_BAD"))))
                .v(LATEST)
                .expect(200);
        String msg = assertError(
                put("/v1/nodes/" + node + "/states/provision", new JsonObject().put("target", "active"))
                        .v(LATEST)
                        .send(),
                400,
                "Failed to validate deploy or power info for node " + node + ": Validation of deploy steps from"
                        + " deploy templates matching this node's instance traits failed. Matching deploy templates:"
                        + " CUSTOM_BAD. Errors: deploy step ");
        assertTrue(
                msg.endsWith("is missing these required arguments: message (Any text; recorded with the step's"
                        + " arguments)"),
                msg);
        assertEquals("available", scalar("SELECT provision_state FROM nodes WHERE uuid = ?::uuid", node));

        String other = deployable("tpl-missing-trait", "[]");
        patch("/v1/nodes/" + other, patchOps(op("add", "/instance_info/traits", new JsonArray().add("CUSTOM_BAD"))))
                .v(LATEST)
                .expect(200);
        assertError(
                put("/v1/nodes/" + other + "/states/provision", new JsonObject().put("target", "active"))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot specify instance traits that are not also set on the node. Node " + other
                        + " is missing traits CUSTOM_BAD");
    }
}
