package io.anvil.conductor.steps;

import io.anvil.config.AnvilConfig;
import java.util.List;

/**
 * The step settings of the [conductor] section: priority overrides for clean steps and the cap on a {@code wait}
 * step's pause (Ironic's clean_step_priority_override and max_conductor_wait_step_seconds).
 */
public record StepSettings(PriorityOverrides cleanStepPriorityOverride, int maxConductorWaitStepSeconds) {

    public static StepSettings defaults() {
        return new StepSettings(PriorityOverrides.none(), 30);
    }

    /** @throws AnvilConfig.ConfigException naming a malformed override entry */
    public static StepSettings from(AnvilConfig config) {
        Object raw = config.setting("conductor.clean_step_priority_override").orElse(List.of());
        List<String> entries = raw instanceof List<?> l
                ? l.stream().map(String::valueOf).toList()
                : List.of(String.valueOf(raw).split(","));
        PriorityOverrides overrides;
        try {
            overrides = PriorityOverrides.parse(
                    entries.stream().filter(s -> !s.isBlank()).toList());
        } catch (IllegalArgumentException e) {
            throw new AnvilConfig.ConfigException(e.getMessage());
        }
        int wait = config.setting("conductor.max_conductor_wait_step_seconds")
                .map(o -> o instanceof Number n
                        ? n.intValue()
                        : Integer.parseInt(o.toString().trim()))
                .orElse(30);
        if (wait < 0 || wait > 1800) {
            throw new AnvilConfig.ConfigException(
                    "conductor.max_conductor_wait_step_seconds must be between 0 and 1800, got " + wait);
        }
        return new StepSettings(overrides, wait);
    }
}
