package io.anvil.conductor.steps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Operator overrides of step priorities, keyed by step id: Ironic's {@code [conductor]clean_step_priority_override}
 * entries {@code interface.step:priority}, e.g. {@code deploy.erase_devices:0} (never erase whole disks) or
 * {@code deploy.erase_devices_metadata:123}. They apply to driver and agent steps alike, before priority-0 steps are
 * dropped, so an override of 0 disables a step and a positive one enables a step that ships disabled.
 */
public final class PriorityOverrides {
    private static final Pattern ENTRY = Pattern.compile("\\s*([a-z_]+)\\.([A-Za-z0-9_]+)\\s*:\\s*([0-9]+)\\s*");
    private static final PriorityOverrides NONE = new PriorityOverrides(Map.of());

    private final Map<String, Integer> byStepId;

    private PriorityOverrides(Map<String, Integer> byStepId) {
        this.byStepId = byStepId;
    }

    public static PriorityOverrides none() {
        return NONE;
    }

    /**
     * Parses the configured entries; a later entry for the same step wins (Ironic merges the dicts in order).
     *
     * @throws IllegalArgumentException naming the malformed entry and the expected form
     */
    public static PriorityOverrides parse(List<String> entries) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String e : entries) {
            Matcher m = ENTRY.matcher(e);
            if (!m.matches()) {
                throw new IllegalArgumentException("conductor.clean_step_priority_override entry '" + e
                        + "' must look like interface.step:priority, e.g. deploy.erase_devices_metadata:123");
            }
            out.put(m.group(1) + "." + m.group(2), Integer.parseInt(m.group(3)));
        }
        return new PriorityOverrides(Collections.unmodifiableMap(out));
    }

    public Map<String, Integer> asMap() {
        return byStepId;
    }

    public boolean isEmpty() {
        return byStepId.isEmpty();
    }

    public Step apply(Step s) {
        Integer p = byStepId.get(s.id());
        return p == null ? s : s.withPriority(p);
    }

    public List<Step> apply(List<Step> steps) {
        return byStepId.isEmpty() ? steps : steps.stream().map(this::apply).toList();
    }
}
