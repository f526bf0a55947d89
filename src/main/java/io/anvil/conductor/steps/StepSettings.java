package io.anvil.conductor.steps;

import io.anvil.config.AnvilConfig;
import java.util.List;

/**
 * The step settings of the [conductor] section, with Ironic's names and defaults: priority overrides for clean steps,
 * the cap on a {@code wait} step's pause, whether {@code provide} and tear-down clean automatically, and how many
 * nodes may deploy or clean at once across all conductors (more gets 503 ConcurrentActionLimit).
 */
public record StepSettings(
        PriorityOverrides cleanStepPriorityOverride,
        int maxConductorWaitStepSeconds,
        boolean automatedClean,
        int maxConcurrentDeploy,
        int maxConcurrentClean) {

    public static StepSettings defaults() {
        return new StepSettings(PriorityOverrides.none(), 30, true, 250, 50);
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
        boolean automated = config.setting("conductor.automated_clean")
                .map(o -> switch (o.toString().trim()) {
                    case "true" -> true;
                    case "false" -> false;
                    default ->
                        throw new AnvilConfig.ConfigException(
                                "conductor.automated_clean must be true or false, got " + o);
                })
                .orElse(true);
        return new StepSettings(
                overrides,
                wait,
                automated,
                positive(config, "conductor.max_concurrent_deploy", 250),
                positive(config, "conductor.max_concurrent_clean", 50));
    }

    private static int positive(AnvilConfig config, String key, int fallback) {
        int v = config.setting(key)
                .map(o -> o instanceof Number n
                        ? n.intValue()
                        : Integer.parseInt(o.toString().trim()))
                .orElse(fallback);
        if (v < 1) {
            throw new AnvilConfig.ConfigException(key + " must be at least 1, got " + v);
        }
        return v;
    }
}
