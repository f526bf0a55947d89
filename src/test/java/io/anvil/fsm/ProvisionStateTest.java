package io.anvil.fsm;

import static io.anvil.fsm.ProvisionState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProvisionStateTest {

    /** {@code ironic/common/states.py}: every stored string. */
    private static final List<String> IRONIC_VALUES = List.of(
            "enroll",
            "manageable",
            "available",
            "active",
            "error",
            "rescue",
            "verifying",
            "deploying",
            "wait call-back",
            "deploy hold",
            "deploy failed",
            "deleting",
            "cleaning",
            "clean wait",
            "clean hold",
            "clean failed",
            "inspecting",
            "inspect wait",
            "inspect failed",
            "adopting",
            "adopt failed",
            "rescuing",
            "rescue wait",
            "rescue failed",
            "unrescuing",
            "unrescue failed",
            "servicing",
            "service wait",
            "service hold",
            "service failed");

    private static Set<String> values(Set<ProvisionState> states) {
        return states.stream().map(ProvisionState::value).collect(Collectors.toSet());
    }

    @Test
    void everyIronicStateHasItsExactString() {
        assertEquals(
                Set.copyOf(IRONIC_VALUES),
                Arrays.stream(ProvisionState.values())
                        .map(ProvisionState::value)
                        .collect(Collectors.toSet()));
        assertEquals(IRONIC_VALUES.size(), ProvisionState.values().length);
        for (String value : IRONIC_VALUES) {
            assertEquals(value, ProvisionState.fromValue(value).value());
            assertEquals(value, ProvisionState.fromValue(value).toString());
        }
        assertEquals(DEPLOYWAIT, ProvisionState.fromValue("wait call-back"));
        assertEquals(CLEANWAIT, ProvisionState.fromValue("clean wait"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"deploy", "deploy complete", "deleted", "undeploy", "rebuild", "service", "ACTIVE", "active ", ""
            })
    void verbsAliasesAndNearMissesAreNotStates(String value) {
        assertThrows(IllegalArgumentException.class, () -> ProvisionState.fromValue(value));
        assertEquals(Optional.empty(), ProvisionState.lookup(value));
    }

    @Test
    void nullIsNoStateForATargetButNotAState() {
        assertThrows(IllegalArgumentException.class, () -> ProvisionState.fromValue(null));
        assertEquals(NOSTATE, ProvisionState.targetFromValue(null));
        assertEquals(Optional.of(ACTIVE), ProvisionState.targetFromValue("active"));
        assertNull(ProvisionState.targetValue(NOSTATE));
        assertEquals("manageable", ProvisionState.targetValue(Optional.of(MANAGEABLE)));
    }

    @Test
    void stableAndUnstableSets() {
        assertEquals(Set.of("enroll", "manageable", "available", "active", "error", "rescue"), values(STABLE));
        assertEquals(
                Set.of(
                        "deploying",
                        "wait call-back",
                        "cleaning",
                        "clean wait",
                        "verifying",
                        "deleting",
                        "inspecting",
                        "inspect wait",
                        "adopting",
                        "rescuing",
                        "rescue wait",
                        "unrescuing",
                        "servicing",
                        "service wait"),
                values(UNSTABLE));
        EnumSet<ProvisionState> both = EnumSet.copyOf(STABLE);
        both.retainAll(UNSTABLE);
        assertEquals(Set.of(), both);
        // Holds and failures are neither (this is what makes DEPLOYING -> DEPLOYHOLD an "end" in task_manager.py).
        for (ProvisionState s : List.of(DEPLOYHOLD, CLEANHOLD, SERVICEHOLD, DEPLOYFAIL, CLEANFAIL, SERVICEFAIL)) {
            assertFalse(s.isStable(), s.toString());
            assertFalse(s.isUnstable(), s.toString());
        }
    }

    @Test
    void failureAndStuckSets() {
        assertEquals(
                Set.of(
                        "deploy failed",
                        "clean failed",
                        "inspect failed",
                        "rescue failed",
                        "unrescue failed",
                        "adopt failed",
                        "service failed"),
                values(FAILURE_STATES));
        assertTrue(DEPLOYFAIL.isFailure());
        assertFalse(ERROR.isFailure());
        assertEquals(
                Set.of(
                        "deploying",
                        "cleaning",
                        "verifying",
                        "inspecting",
                        "adopting",
                        "rescuing",
                        "unrescuing",
                        "deleting",
                        "servicing"),
                values(STUCK_STATES_TREATED_AS_FAIL));
        // Every stuck state really has a "fail" transition (manager.py: _correct_stuck_states sends it on start-up).
        for (ProvisionState s : STUCK_STATES_TREATED_AS_FAIL) {
            assertTrue(ProvisionStateMachine.ironic().isActionable(s, ProvisionEvent.FAIL), s.toString());
        }
    }

    @Test
    void updateDeleteLookupSyncAndHeartbeatSets() {
        assertEquals(
                Set.of(
                        "deploy failed",
                        "inspecting",
                        "inspect failed",
                        "inspect wait",
                        "clean failed",
                        "error",
                        "verifying",
                        "adopt failed",
                        "rescue failed",
                        "unrescue failed",
                        "service hold",
                        "service failed"),
                values(UPDATE_ALLOWED_STATES));
        assertEquals(Set.of("manageable", "enroll", "adopt failed"), values(DELETE_ALLOWED_STATES));
        assertEquals(
                Set.of(
                        "deploying",
                        "wait call-back",
                        "cleaning",
                        "clean wait",
                        "inspecting",
                        "inspect wait",
                        "rescuing",
                        "rescue wait",
                        "service wait"),
                values(LOOKUP_ALLOWED_STATES));
        Set<String> fastTrack = values(FASTTRACK_LOOKUP_ALLOWED_STATES);
        assertTrue(fastTrack.containsAll(values(LOOKUP_ALLOWED_STATES)));
        assertEquals(LOOKUP_ALLOWED_STATES.size() + 5, fastTrack.size());
        assertTrue(fastTrack.containsAll(Set.of("enroll", "manageable", "available", "servicing", "service hold")));
        assertEquals(Set.of("wait call-back", "clean wait", "enroll", "adopt failed"), values(SYNC_EXCLUDED_STATES));
        assertEquals(
                Set.of(
                        "enroll",
                        "manageable",
                        "available",
                        "cleaning",
                        "deploying",
                        "rescuing",
                        "deploy hold",
                        "clean hold",
                        "servicing",
                        "service hold"),
                values(HEARTBEAT_RECORD_ONLY));
    }

    @Test
    void theSetsCannotBeModified() {
        assertThrows(UnsupportedOperationException.class, () -> STABLE.add(DEPLOYING));
        assertThrows(UnsupportedOperationException.class, () -> UNSTABLE.remove(DEPLOYING));
        assertThrows(UnsupportedOperationException.class, () -> FASTTRACK_LOOKUP_ALLOWED_STATES.clear());
    }

    @ParameterizedTest(name = "{0} heads for {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            verifying       | manageable
            deploying       | active
            wait call-back  | active
            deploy hold     | active
            deploy failed   | active
            deleting        | available
            cleaning        | available
            clean wait      | available
            clean hold      | available
            clean failed    | available
            inspecting      | manageable
            inspect wait    | manageable
            inspect failed  | manageable
            adopting        | active
            adopt failed    | active
            rescuing        | rescue
            rescue wait     | rescue
            rescue failed   | rescue
            unrescuing      | active
            unrescue failed | active
            servicing       | active
            service wait    | active
            service hold    | active
            service failed  | active
            """)
    void defaultTargetOfEachNonStableState(String state, String target) {
        assertEquals(
                Optional.of(ProvisionState.fromValue(target)),
                ProvisionState.fromValue(state).defaultTarget());
    }

    @Test
    void stableStatesHaveNoDefaultTargetAndAllOthersHaveAStableOne() {
        for (ProvisionState s : ProvisionState.values()) {
            if (s.isStable()) {
                assertEquals(NOSTATE, s.defaultTarget(), s.toString());
            } else {
                assertTrue(s.defaultTarget().orElseThrow().isStable(), s.toString());
            }
        }
    }

    @Test
    void nodeDeleteRules() {
        assertTrue(MANAGEABLE.isNodeDeleteAllowed(false, false));
        assertTrue(ENROLL.isNodeDeleteAllowed(false, false));
        assertTrue(ADOPTFAIL.isNodeDeleteAllowed(false, false));
        assertTrue(AVAILABLE.isNodeDeleteAllowed(true, false));
        assertFalse(AVAILABLE.isNodeDeleteAllowed(false, false));
        assertFalse(ACTIVE.isNodeDeleteAllowed(true, false));
        assertFalse(DEPLOYING.isNodeDeleteAllowed(true, false));
        assertTrue(ACTIVE.isNodeDeleteAllowed(false, true));
        assertTrue(DEPLOYING.isNodeDeleteAllowed(false, true));
    }
}
