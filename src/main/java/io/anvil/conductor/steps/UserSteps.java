package io.anvil.conductor.steps;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's {@code clean_steps}, {@code service_steps} or {@code deploy_steps}: first their shape, as Ironic's API
 * checks it with a JSON schema before anything else ({@code _check_steps} in ironic/api/controllers/v1/node.py),
 * then their meaning against the steps the node's driver and agent offer ({@code _validate_user_steps} in
 * ironic/conductor/steps.py). Both raise {@link StepValidationException} (400) with Ironic's wording.
 *
 * <p>One deliberate difference: the reserved steps ({@link ReservedStep}: {@code hold}, {@code wait},
 * {@code power_on}, ...) stay in the validated list at the place the user put them. Ironic skips them during
 * validation and so also drops them from the list it stores, which makes a {@code hold} in manual cleaning a no-op.
 */
public final class UserSteps {
    private static final Set<String> CLEAN_KEYS =
            Set.of("interface", "step", "args", "order", "execute_on_child_nodes", "limit_child_node_execution");
    private static final Set<String> DEPLOY_KEYS = Set.of("interface", "step", "args", "priority");

    private UserSteps() {}

    /**
     * The API's shape check. Clean and service steps need {@code interface} and {@code step} ({@code args}
     * optional); deploy steps need all of {@code interface}, {@code step}, {@code args} and {@code priority} (an
     * integer &gt;= 0 or a string of digits). Interfaces must be ones that can have steps of this type.
     *
     * @return the steps as JSON objects, unchanged
     */
    public static List<JsonObject> checkShape(StepType type, Object steps) {
        String prefix = "Invalid " + type.stepsKey() + ": ";
        if (!(steps instanceof JsonArray list)) {
            throw new StepValidationException(prefix + describe(steps) + " is not of type 'array'");
        }
        boolean deploy = type == StepType.DEPLOY;
        Set<String> allowed = deploy ? DEPLOY_KEYS : CLEAN_KEYS;
        List<String> required =
                deploy ? List.of("interface", "step", "args", "priority") : List.of("interface", "step");
        List<JsonObject> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof JsonObject s)) {
                throw new StepValidationException(prefix + describe(item) + " is not of type 'object'");
            }
            for (String k : required) {
                if (!s.containsKey(k)) {
                    throw new StepValidationException(prefix + "'" + k + "' is a required property");
                }
            }
            for (String k : s.fieldNames()) {
                if (!allowed.contains(k)) {
                    throw new StepValidationException(
                            prefix + "Additional properties are not allowed ('" + k + "' was unexpected)");
                }
            }
            Object iface = s.getValue("interface");
            if (!(iface instanceof String i) || !type.knowsInterface(i)) {
                throw new StepValidationException(prefix + describe(iface) + " is not one of " + interfaces(type));
            }
            Object name = s.getValue("step");
            if (!(name instanceof String n)) {
                throw new StepValidationException(prefix + describe(name) + " is not of type 'string'");
            }
            if (n.isEmpty()) {
                throw new StepValidationException(prefix + "'' is too short");
            }
            if (s.containsKey("args") && !(s.getValue("args") instanceof JsonObject)) {
                throw new StepValidationException(prefix + describe(s.getValue("args")) + " is not of type 'object'");
            }
            for (String k : List.of("priority", "order")) {
                if (s.containsKey(k) && !isNonNegativeInteger(s.getValue(k))) {
                    throw new StepValidationException(
                            prefix + describe(s.getValue(k)) + " is not valid under any of the given schemas");
                }
            }
            if (s.containsKey("execute_on_child_nodes") && !(s.getValue("execute_on_child_nodes") instanceof Boolean)) {
                throw new StepValidationException(
                        prefix + describe(s.getValue("execute_on_child_nodes")) + " is not of type 'boolean'");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Checks the user's steps against every step the node offers (driver and agent, all priorities, see
     * {@link StepPlanner#offered}) and returns them ready to store: clean and service steps take the offered step's
     * priority and {@code abortable}; deploy steps keep the user's priority.
     *
     * @param skipMissing     accept steps the node does not offer yet (in-band steps before the agent has reported
     *                        them); they are checked again once it has
     * @param disableRamdisk  the user asked to run without the agent: every step must be out-of-band
     * @param errorPrefix     prepended to the joined errors (Ironic's deploy message), or null
     * @throws StepValidationException with every problem found, joined by "; "
     */
    public static List<Step> validate(
            StepType type,
            List<JsonObject> userSteps,
            List<Step> offered,
            boolean skipMissing,
            boolean disableRamdisk,
            String errorPrefix) {
        Map<String, Step> byId = new LinkedHashMap<>();
        for (Step s : offered) {
            byId.putIfAbsent(s.id(), s);
        }
        List<String> errors = new ArrayList<>();
        List<Step> result = new ArrayList<>();
        String t = type.value();
        for (JsonObject user : userSteps) {
            Step parsed;
            try {
                parsed = Step.fromJson(user);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
                continue;
            }
            if (Boolean.TRUE.equals(user.getValue("execute_on_child_nodes"))) {
                errors.add(t + " step " + user.encode()
                        + " asks to run on child nodes; Anvil models no parent/child nodes");
                continue;
            }
            if (ReservedStep.of(parsed).isPresent()) {
                result.add(parsed.withArgs(parsed.args() == null ? new JsonObject() : parsed.args()));
                continue;
            }
            Step driver = byId.get(parsed.id());
            if (driver == null) {
                if (!skipMissing) {
                    errors.add("node does not support this " + t + " step: " + user.encode());
                }
                continue;
            }
            errors.addAll(checkArgs(type, user, parsed, driver, disableRamdisk));
            Step stored = type == StepType.DEPLOY
                    ? parsed.withAbortable(driver.abortable())
                    : parsed.withPriority(driver.priority())
                            .withAbortable(driver.abortable())
                            .withRequiresRamdisk(driver.requiresRamdisk());
            if (type == StepType.DEPLOY && parsed.isEnabled() && isCoreDeployStep(driver)) {
                errors.add("deploy step " + parsed.name() + " on interface " + parsed.iface()
                        + " is a core step and cannot be overridden by user steps. It may be disabled by setting the "
                        + "priority to 0");
            }
            result.add(stored);
        }
        if (type == StepType.DEPLOY) {
            Set<String> seen = new LinkedHashSet<>();
            Set<String> duplicates = new LinkedHashSet<>();
            for (Step s : result) {
                if (!seen.add(s.id())) {
                    duplicates.add(s.id());
                }
            }
            if (!duplicates.isEmpty()) {
                errors.add("deploy steps from all deploy templates matching this node's instance traits cannot have "
                        + "the same interface and step. Duplicate deploy steps for " + String.join(", ", duplicates));
            }
        }
        if (!errors.isEmpty()) {
            throw new StepValidationException((errorPrefix == null ? "" : errorPrefix) + String.join("; ", errors));
        }
        return List.copyOf(result);
    }

    /** Ironic's prefix for a deploy's {@code deploy_steps} argument (with the space Ironic forgets). */
    public static final String DEPLOY_ARGUMENT_PREFIX =
            "Validation of deploy steps from \"deploy steps\" argument failed. ";

    /** The one core deploy step, which users may disable but not re-prioritise (Ironic's is_core). */
    static boolean isCoreDeployStep(Step s) {
        return s.iface().equals("deploy") && s.name().equals("deploy");
    }

    private static List<String> checkArgs(
            StepType type, JsonObject user, Step parsed, Step driver, boolean disableRamdisk) {
        List<String> errors = new ArrayList<>();
        String t = type.value();
        JsonObject argsinfo = driver.argsinfo() == null ? new JsonObject() : driver.argsinfo();
        JsonObject args = parsed.args() == null ? new JsonObject() : parsed.args();
        List<String> unexpected = new ArrayList<>();
        for (String a : args.fieldNames()) {
            if (!argsinfo.containsKey(a)) {
                unexpected.add(a);
            }
        }
        if (!unexpected.isEmpty()) {
            errors.add(
                    t + " step " + user.encode() + " has these unexpected arguments: " + String.join(", ", unexpected));
        }
        // a disabled deploy step (priority 0) will not run, so its arguments need not be complete
        if (type != StepType.DEPLOY || parsed.isEnabled()) {
            List<String> missing = new ArrayList<>();
            for (String a : argsinfo.fieldNames()) {
                JsonObject info = argsinfo.getValue(a) instanceof JsonObject o ? o : new JsonObject();
                if (Boolean.TRUE.equals(info.getValue("required")) && !args.containsKey(a)) {
                    String desc = info.getString("description");
                    missing.add(desc == null || desc.isEmpty() ? a : a + " (" + desc + ")");
                }
            }
            if (!missing.isEmpty()) {
                errors.add(t + " step " + user.encode() + " is missing these required arguments: "
                        + String.join(", ", missing));
            }
            if (disableRamdisk && driver.needsRamdisk()) {
                errors.add(t + " step " + user.encode() + " requires booting a ramdisk");
            }
        }
        return errors;
    }

    /** The interfaces as Ironic's schema lists them: {@code ['vendor', 'power', ...]}, highest rank first. */
    private static String interfaces(StepType type) {
        return type.interfacePriority().entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .map(e -> "'" + e.getKey() + "'")
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    private static boolean isNonNegativeInteger(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue() >= 0;
        }
        return v instanceof String s && s.matches("[0-9]+");
    }

    private static String describe(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return v instanceof JsonObject o ? o.encode() : v instanceof JsonArray a ? a.encode() : String.valueOf(v);
    }
}
