package io.anvil.conductor.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.config.AnvilConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The step settings from the configuration file's defaults, overrides and environment. */
class StepSettingsTest {
    @Test
    void defaultsAndOverrides() {
        StepSettings d = StepSettings.from(AnvilConfig.of(Map.of()));
        assertEquals(30, d.maxConductorWaitStepSeconds());
        assertEquals(Map.of(), d.cleanStepPriorityOverride().asMap());

        StepSettings s = StepSettings.from(AnvilConfig.of(Map.of(
                "conductor.clean_step_priority_override",
                List.of("deploy.erase_devices:0", "deploy.erase_devices_metadata:123"),
                "conductor.max_conductor_wait_step_seconds",
                5)));
        assertEquals(
                Map.of("deploy.erase_devices", 0, "deploy.erase_devices_metadata", 123),
                s.cleanStepPriorityOverride().asMap());
        assertEquals(5, s.maxConductorWaitStepSeconds());
    }

    @Test
    void environmentListIsCommaSeparated() {
        AnvilConfig c = AnvilConfig.load(
                Path.of("conf/anvil.yaml"),
                Map.of(
                        "ANVIL_CONDUCTOR_CLEAN_STEP_PRIORITY_OVERRIDE",
                        "deploy.erase_devices:0, raid.delete_configuration:5"));
        assertEquals(
                Map.of("deploy.erase_devices", 0, "raid.delete_configuration", 5),
                StepSettings.from(c).cleanStepPriorityOverride().asMap());
    }

    @Test
    void malformedEntriesAreConfigurationErrors() {
        assertThrows(
                AnvilConfig.ConfigException.class,
                () -> StepSettings.from(
                        AnvilConfig.of(Map.of("conductor.clean_step_priority_override", List.of("erase_devices=0")))));
        assertThrows(
                AnvilConfig.ConfigException.class,
                () -> StepSettings.from(AnvilConfig.of(Map.of("conductor.max_conductor_wait_step_seconds", 5000))));
    }
}
