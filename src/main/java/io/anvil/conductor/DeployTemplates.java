package io.anvil.conductor;

import io.anvil.conductor.steps.Step;
import io.anvil.conductor.steps.StepType;
import io.anvil.conductor.steps.UserSteps;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deploy templates in a deployment (ironic/conductor/steps.py: _get_deployment_templates,
 * _get_steps_from_deployment_templates, _get_validated_steps_from_templates): the templates whose names are among
 * the node's {@code instance_info.traits} contribute their steps, validated against the steps the node offers.
 * The engine reads them once when a deploy starts and keeps them with the plan in
 * {@code driver_internal_info.deploy_template_steps}, so a re-plan (once the agent reported its steps) and another
 * conductor taking over use the same templates (docs/steps.md#deploy-templates).
 */
final class DeployTemplates {
    /** Where a running deploy keeps its templates: {"templates": [names], "steps": [...]}. */
    static final String KEY = "deploy_template_steps";

    private DeployTemplates() {}

    /** The templates matching the node's instance traits, as stored under {@link #KEY}; null when none match. */
    static Future<JsonObject> matching(Task task) {
        Object traits = task.node().getJsonObject("instance_info").getValue("traits");
        if (!(traits instanceof JsonArray list) || list.isEmpty()) {
            return Future.succeededFuture(null);
        }
        List<String> names = new ArrayList<>();
        list.forEach(t -> {
            if (t instanceof String s) {
                names.add(s);
            }
        });
        return task.manager()
                .database()
                .reads()
                .preparedQuery("SELECT name, steps FROM deploy_templates WHERE name = ANY($1) ORDER BY id")
                .execute(Tuple.of((Object) names.toArray(new String[0])))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    JsonArray templateNames = new JsonArray();
                    JsonArray steps = new JsonArray();
                    rows.forEach(r -> {
                        templateNames.add(r.getString(0));
                        Object stored = r.getValue(1);
                        if (stored instanceof JsonArray a) {
                            a.forEach(s -> {
                                JsonObject step = (JsonObject) s;
                                steps.add(new JsonObject()
                                        .put("interface", step.getValue("interface"))
                                        .put("step", step.getValue("step"))
                                        .put("args", step.getValue("args"))
                                        .put("priority", step.getValue("priority")));
                            });
                        }
                    });
                    return new JsonObject().put("templates", templateNames).put("steps", steps);
                });
    }

    /** The stored templates' steps validated against {@code offered}, with Ironic's message prefix on failure. */
    static List<Step> validated(JsonObject stored, List<Step> offered, boolean skipMissing) {
        if (stored == null) {
            return List.of();
        }
        List<JsonObject> steps = new ArrayList<>();
        stored.getJsonArray("steps", new JsonArray()).forEach(s -> steps.add((JsonObject) s));
        List<String> names = new ArrayList<>();
        stored.getJsonArray("templates", new JsonArray()).forEach(n -> names.add((String) n));
        String prefix = "Validation of deploy steps from deploy templates matching this node's instance traits failed."
                + " Matching deploy templates: " + String.join(",", names) + ". Errors: ";
        return UserSteps.validate(StepType.DEPLOY, steps, offered, skipMissing, false, prefix);
    }

    /** Ironic's _get_all_deployment_steps: user steps first; a template step the user also named is dropped. */
    static List<Step> withUserSteps(List<Step> userSteps, List<Step> templateSteps) {
        Set<String> named = new HashSet<>();
        userSteps.forEach(s -> named.add(s.id()));
        List<Step> out = new ArrayList<>(userSteps);
        for (Step s : templateSteps) {
            if (!named.contains(s.id())) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Ironic's validate_instance_info_traits: instance_info.traits, when set, is a list of strings that are all traits
     * of the node.
     */
    static void checkInstanceTraits(JsonObject node) {
        Object traits = node.getJsonObject("instance_info").getValue("traits");
        if (traits == null || (traits instanceof JsonArray a && a.isEmpty())) {
            return;
        }
        String uuid = node.getString("uuid");
        if (!(traits instanceof JsonArray list) || list.stream().anyMatch(t -> !(t instanceof String))) {
            throw AnvilException.invalid(
                    "Error parsing traits from Node " + uuid + " instance_info field. A list of strings is expected.");
        }
        Set<String> nodeTraits = Allocations.traits(node.getValue("traits"));
        List<String> missing = new ArrayList<>();
        list.forEach(t -> {
            if (!nodeTraits.contains((String) t) && !missing.contains((String) t)) {
                missing.add((String) t);
            }
        });
        if (!missing.isEmpty()) {
            throw AnvilException.invalid("Cannot specify instance traits that are not also set on the node. Node "
                    + uuid + " is missing traits " + String.join(", ", missing));
        }
    }
}
