package io.anvil.conductor.steps;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a node is in its step list, stored exactly where Ironic stores it so any conductor can pick the work up after
 * a crash: {@code driver_internal_info.<type>_steps} (the plan), {@code driver_internal_info.<type>_step_index} (the
 * step started last) and the node's {@code clean_step}/{@code deploy_step} field (that step itself). Plus Ironic's
 * async flags (ironic/common/async_steps.py): {@code <type>_reboot} (a step rebooted the node),
 * {@code skip_current_<type>_step} (false: run the current step again after the agent comes back) and
 * {@code <type>_polling} (a driver periodic, not heartbeats, finishes the step).
 *
 * <p>Pure: every function takes the node as read under its lock and returns the new values of the two columns in an
 * {@link Update}, which the engine writes in one fenced statement before it runs the step.
 */
public final class StepProgress {
    private StepProgress() {}

    /**
     * The new {@code driver_internal_info} and the new step field ({@code null} = SQL NULL, {} = "no step yet", as
     * Ironic distinguishes them).
     */
    public record Update(JsonObject driverInternalInfo, JsonObject stepField) {}

    /** Stores a fresh plan: no step started yet (Ironic's set_node_cleaning_steps / set_node_deployment_steps). */
    public static Update plan(JsonObject node, StepType type, List<Step> steps) {
        JsonObject dii = dii(node);
        JsonArray list = new JsonArray();
        steps.forEach(s -> list.add(s.toJson()));
        dii.put(type.stepsKey(), list);
        dii.putNull(type.indexKey());
        return new Update(dii, new JsonObject());
    }

    public static List<Step> planned(JsonObject node, StepType type) {
        JsonArray list = dii(node).getJsonArray(type.stepsKey());
        List<Step> out = new ArrayList<>();
        if (list != null) {
            for (Object o : list) {
                out.add(Step.fromJson((JsonObject) o));
            }
        }
        return out;
    }

    /** The step started last; empty before the first one (field null or {}). */
    public static Optional<Step> current(JsonObject node, StepType type) {
        Object f = node.getValue(type.nodeField());
        return f instanceof JsonObject o && !o.isEmpty() ? Optional.of(Step.fromJson(o)) : Optional.empty();
    }

    /**
     * The index of the next step to run, or empty when none is left (Ironic's _get_node_next_steps): 0 before the
     * first step; otherwise the current index, plus one when {@code skipCurrent}. A node whose index is missing
     * although a step is current has nothing left to run.
     */
    public static Optional<Integer> nextIndex(JsonObject node, StepType type, boolean skipCurrent) {
        if (current(node, type).isEmpty()) {
            return planned(node, type).isEmpty() ? Optional.empty() : Optional.of(0);
        }
        Object raw = dii(node).getValue(type.indexKey());
        if (!(raw instanceof Number n)) {
            return Optional.empty();
        }
        int next = n.intValue() + (skipCurrent ? 1 : 0);
        return next < planned(node, type).size() ? Optional.of(next) : Optional.empty();
    }

    /** What {@link #resume} decides: the step to run next (empty: all done) and the columns with the flags cleared. */
    public record Resume(Optional<Integer> nextIndex, Update update) {}

    /**
     * Continuing after a step ended or after a crash (Ironic's update_next_step_index): consumes the
     * {@code skip_current_<type>_step} flag (default true: the current step is done) and the polling flag, and gives
     * the index to run next. A conductor that died mid-step resumes here: with the flag false the interrupted step
     * runs again.
     */
    public static Resume resume(JsonObject node, StepType type) {
        JsonObject dii = dii(node);
        Object skip = dii.remove(skipKey(type));
        dii.remove(pollingKey(type));
        boolean skipCurrent = !(skip instanceof Boolean b) || b;
        JsonObject view = node.copy().put("driver_internal_info", dii);
        return new Resume(nextIndex(view, type, skipCurrent), new Update(dii, stepField(node, type)));
    }

    /**
     * Records that step {@code index} starts now; written before the step runs so a crash leaves the node pointing at
     * the interrupted step (Ironic saves clean_step and clean_step_index before execute_clean_step).
     */
    public static Update begin(JsonObject node, StepType type, int index) {
        List<Step> plan = planned(node, type);
        if (index < 0 || index >= plan.size()) {
            throw new IndexOutOfBoundsException(
                    "step index " + index + " outside the " + plan.size() + " planned " + type.value() + " steps");
        }
        JsonObject dii = dii(node);
        dii.put(type.indexKey(), index);
        dii.remove(pollingKey(type));
        return new Update(dii, plan.get(index).toJson());
    }

    /**
     * An abort arrived while a non-abortable step runs: mark it {@code abort_after} so the engine fails the node as
     * soon as the step ends (Ironic's do_provisioning_action abort in CLEANWAIT). Empty when no step is current.
     */
    public static Optional<Update> markAbortAfter(JsonObject node, StepType type) {
        return current(node, type)
                .map(s -> new Update(dii(node), s.withAbortAfter(true).toJson()));
    }

    /**
     * Ironic's set_node_flags: null leaves a flag as it is, except polling, which is removed when null. Setting
     * reboot also means the agent will come back fresh: the engine must wipe a non-pregenerated agent token with it.
     */
    public static Update setFlags(
            JsonObject node, StepType type, Boolean reboot, Boolean skipCurrent, Boolean polling) {
        JsonObject dii = dii(node);
        if (reboot != null) {
            dii.put(rebootKey(type), reboot);
        }
        if (skipCurrent != null) {
            dii.put(skipKey(type), skipCurrent);
        }
        if (polling != null) {
            dii.put(pollingKey(type), polling);
        } else {
            dii.remove(pollingKey(type));
        }
        return new Update(dii, stepField(node, type));
    }

    /**
     * The step list ended (done, failed or aborted): the field is cleared and the temporary keys go (Ironic's
     * wipe_cleaning_internal_info / wipe_deploy_internal_info). The plan key stays with a null value, as in Ironic.
     */
    public static Update finish(JsonObject node, StepType type) {
        JsonObject dii = dii(node);
        dii.putNull(type.stepsKey());
        dii.remove(type.indexKey());
        dii.remove(type.agentCacheKey());
        dii.remove("steps_validated");
        dii.remove("agent_start_attempted");
        switch (type) {
            case CLEAN -> {
                dii.remove("cleaning_disable_ramdisk");
                dii.remove("declarative_cleaning");
            }
            case DEPLOY -> {
                dii.remove("user_deploy_steps");
                dii.remove("image_source");
            }
            case SERVICE -> {
                dii.remove("service_disable_ramdisk");
                dii.remove("image_source");
            }
        }
        for (StepType t : StepType.values()) {
            dii.remove(rebootKey(t));
            dii.remove(skipKey(t));
            dii.remove(pollingKey(t));
        }
        return new Update(dii, null);
    }

    public static boolean rebooted(JsonObject node, StepType type) {
        return Boolean.TRUE.equals(dii(node).getValue(rebootKey(type)));
    }

    public static boolean polling(JsonObject node, StepType type) {
        return Boolean.TRUE.equals(dii(node).getValue(pollingKey(type)));
    }

    /** {@code cleaning_reboot}, {@code deployment_reboot}, {@code servicing_reboot}. */
    public static String rebootKey(StepType type) {
        return flagWord(type) + "_reboot";
    }

    /** {@code cleaning_polling}, {@code deployment_polling}, {@code servicing_polling}. */
    public static String pollingKey(StepType type) {
        return flagWord(type) + "_polling";
    }

    /** {@code skip_current_clean_step}, ... */
    public static String skipKey(StepType type) {
        return "skip_current_" + type.value() + "_step";
    }

    private static String flagWord(StepType type) {
        return switch (type) {
            case CLEAN -> "cleaning";
            case DEPLOY -> "deployment";
            case SERVICE -> "servicing";
        };
    }

    private static JsonObject dii(JsonObject node) {
        JsonObject d = node.getJsonObject("driver_internal_info");
        return d == null ? new JsonObject() : d.copy();
    }

    private static JsonObject stepField(JsonObject node, StepType type) {
        Object f = node.getValue(type.nodeField());
        return f instanceof JsonObject o ? o.copy() : null;
    }
}
