package io.anvil.conductor.steps;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps the ramdisk agent reports, in the shape ironic-python-agent answers {@code get_clean_steps} /
 * {@code get_deploy_steps}: {@code {"clean_steps": {"GenericHardwareManager": [{"step", "priority", "interface",
 * "reboot_requested", "abortable", "argsinfo"}, ...], ...}, "hardware_manager_version": {...}}}. Anvil caches them as
 * Ironic does ({@code refresh_steps} in ironic/drivers/modules/agent_base.py): grouped by interface in
 * {@code driver_internal_info.agent_cached_<type>_steps}, beside {@code hardware_manager_version}.
 */
public final class AgentSteps {
    private AgentSteps() {}

    /** What one {@code get_<type>_steps} answer gives: the cache to store and the agent's hardware versions. */
    public record Report(JsonObject cache, JsonObject hardwareManagerVersion) {}

    /**
     * Checks and groups an agent's {@code command_result}. Clean steps are marked {@code requires_ramdisk} (they run
     * in the agent by definition).
     *
     * @throws IllegalArgumentException with Ironic's message when a key is missing (the engine fails the node with
     *     it as {@code last_error})
     */
    public static Report parse(StepType type, String nodeUuid, JsonObject commandResult) {
        String listKey = type.stepsKey();
        List<String> missing = new ArrayList<>();
        for (String k : List.of(listKey, "hardware_manager_version")) {
            if (commandResult == null || !commandResult.containsKey(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("agent " + type.agentListCommand() + " for node " + nodeUuid
                    + " returned an invalid result. Keys: " + missing + " are missing from result: "
                    + (commandResult == null ? "null" : commandResult.encode()) + ".");
        }
        if (!(commandResult.getValue(listKey) instanceof JsonObject byManager)) {
            throw new IllegalArgumentException("agent " + type.agentListCommand() + " for node " + nodeUuid
                    + " returned an invalid result: '" + listKey + "' must map hardware managers to step lists.");
        }
        JsonObject cache = new JsonObject();
        for (String manager : byManager.fieldNames()) {
            if (!(byManager.getValue(manager) instanceof JsonArray list)) {
                throw new IllegalArgumentException("agent " + type.agentListCommand() + " for node " + nodeUuid
                        + " returned an invalid result: the steps of " + manager + " are not a list.");
            }
            for (Object o : list) {
                JsonObject step = o instanceof JsonObject j ? j.copy() : new JsonObject();
                List<String> lacking = new ArrayList<>();
                for (String k : List.of("interface", "step", "priority")) {
                    if (!step.containsKey(k)) {
                        lacking.add(k);
                    }
                }
                if (!lacking.isEmpty()) {
                    throw new IllegalArgumentException("agent " + type.agentListCommand() + " for node " + nodeUuid
                            + " returned an invalid " + type.value() + " step. Keys: " + lacking
                            + " are missing from step: " + (o instanceof JsonObject j ? j.encode() : o) + ".");
                }
                if (type == StepType.CLEAN) {
                    step.put("requires_ramdisk", true);
                }
                String iface = String.valueOf(step.getValue("interface"));
                JsonArray bucket = cache.getJsonArray(iface);
                if (bucket == null) {
                    bucket = new JsonArray();
                    cache.put(iface, bucket);
                }
                bucket.add(step);
            }
        }
        Object versions = commandResult.getValue("hardware_manager_version");
        return new Report(cache, versions instanceof JsonObject v ? v.copy() : new JsonObject());
    }

    /**
     * The cached steps of one interface ({@code iface} null: all of them), as the agent-backed interface reports
     * them (Ironic's agent_base.get_steps). An empty list when the agent has not reported yet.
     */
    public static List<Step> cached(StepType type, JsonObject driverInternalInfo, String iface) {
        JsonObject cache = driverInternalInfo == null ? null : driverInternalInfo.getJsonObject(type.agentCacheKey());
        if (cache == null) {
            return List.of();
        }
        List<Step> out = new ArrayList<>();
        for (String i : cache.fieldNames()) {
            if (iface != null && !iface.equals(i)) {
                continue;
            }
            for (Object o : cache.getJsonArray(i)) {
                out.add(Step.fromJson((JsonObject) o));
            }
        }
        return out;
    }

    /** True once the agent has reported this type's steps (Ironic refreshes them on the first heartbeat only). */
    public static boolean isCached(StepType type, JsonObject driverInternalInfo) {
        return driverInternalInfo != null && driverInternalInfo.getValue(type.agentCacheKey()) instanceof JsonObject;
    }
}
