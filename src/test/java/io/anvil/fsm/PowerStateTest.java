package io.anvil.fsm;

import static io.anvil.fsm.PowerState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PowerStateTest {

    /**
     * {@code ironic/conductor/utils.py: node_power_action}: value | API target | minimum version | target_power_state
     * while running.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            power on       | true  | 1.1  | power on
            power off      | true  | 1.1  | power off
            rebooting      | true  | 1.1  | power on
            soft rebooting | true  | 1.27 | power on
            soft power off | true  | 1.27 | power off
            """)
    void apiTargets(String value, boolean apiTarget, String minimum, String targetPowerState) {
        PowerState state = PowerState.fromValue(value);
        assertEquals(value, state.value());
        assertEquals(apiTarget, state.isApiTarget());
        assertEquals(Microversion.parse(minimum), state.minimumApiVersion());
        assertEquals(PowerState.fromValue(targetPowerState), state.targetPowerState());
    }

    @Test
    void errorIsDriverOnly() {
        assertEquals("error", ERROR.value());
        assertFalse(ERROR.isApiTarget());
        assertThrows(IllegalStateException.class, ERROR::minimumApiVersion);
        assertEquals(Set.of(POWER_ON, POWER_OFF, REBOOT, SOFT_REBOOT, SOFT_POWER_OFF), API_TARGETS);
    }

    @Test
    void softAndPowerOffKinds() {
        assertTrue(SOFT_REBOOT.isSoft());
        assertTrue(SOFT_POWER_OFF.isSoft());
        assertFalse(REBOOT.isSoft());
        assertTrue(POWER_OFF.isPowerOff());
        assertTrue(SOFT_POWER_OFF.isPowerOff());
        assertFalse(REBOOT.isPowerOff());
        assertEquals(Microversion.of(27), SOFT_POWER_MIN_VERSION);
    }

    @Test
    void unknownStringsAreRejected() {
        assertEquals(Optional.empty(), PowerState.lookup("on"));
        assertEquals(Optional.empty(), PowerState.lookup(null));
        assertEquals(Optional.empty(), NOSTATE);
        assertThrows(IllegalArgumentException.class, () -> PowerState.fromValue("reboot"));
    }
}
