package io.anvil.fsm;

import static io.anvil.fsm.ProvisionState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProvisionStateMachineTest {

    private static final ProvisionStateMachine FSM = ProvisionStateMachine.ironic();

    /**
     * {@code ironic/common/state_machine.py}, written out by hand with Ironic's strings ({@code from | event | to}),
     * one row per transition. The machine must have exactly these rows.
     */
    private static final String IRONIC_TABLE =
            """
            available      | deploy   | deploying
            deploy failed  | deploy   | deploying
            active         | rebuild  | deploying
            deploy failed  | rebuild  | deploying
            error          | rebuild  | deploying
            deploying      | wait     | wait call-back
            cleaning       | wait     | clean wait
            inspecting     | wait     | inspect wait
            rescuing       | wait     | rescue wait
            servicing      | wait     | service wait
            service failed | wait     | service wait
            wait call-back | resume   | deploying
            clean wait     | resume   | cleaning
            inspect wait   | resume   | inspecting
            rescue wait    | resume   | rescuing
            service wait   | resume   | servicing
            deploying      | hold     | deploy hold
            wait call-back | hold     | deploy hold
            cleaning       | hold     | clean hold
            clean wait     | hold     | clean hold
            servicing      | hold     | service hold
            service wait   | hold     | service hold
            service failed | hold     | service hold
            deploy hold    | unhold   | wait call-back
            clean hold     | unhold   | clean wait
            service hold   | unhold   | service wait
            deploying      | done     | active
            cleaning       | done     | available
            verifying      | done     | manageable
            inspecting     | done     | manageable
            inspect wait   | done     | manageable
            rescuing       | done     | rescue
            unrescuing     | done     | active
            adopting       | done     | active
            servicing      | done     | active
            deploying      | fail     | deploy failed
            wait call-back | fail     | deploy failed
            deleting       | fail     | error
            cleaning       | fail     | clean failed
            clean wait     | fail     | clean failed
            inspecting     | fail     | inspect failed
            inspect wait   | fail     | inspect failed
            rescuing       | fail     | rescue failed
            rescue wait    | fail     | rescue failed
            unrescuing     | fail     | unrescue failed
            verifying      | fail     | enroll
            adopting       | fail     | adopt failed
            servicing      | fail     | service failed
            service wait   | fail     | service failed
            service hold   | fail     | service failed
            wait call-back | abort    | deploy failed
            deploy hold    | abort    | deploy failed
            clean wait     | abort    | clean failed
            clean hold     | abort    | clean failed
            inspect wait   | abort    | inspect failed
            rescue wait    | abort    | rescue failed
            service wait   | abort    | service failed
            service hold   | abort    | service failed
            service failed | abort    | active
            active          | delete  | deleting
            wait call-back  | delete  | deleting
            deploy failed   | delete  | deleting
            error           | delete  | deleting
            rescue          | delete  | deleting
            rescue wait     | delete  | deleting
            rescue failed   | delete  | deleting
            unrescue failed | delete  | deleting
            service wait    | delete  | deleting
            service failed  | delete  | deleting
            deleting       | clean    | cleaning
            manageable     | clean    | cleaning
            manageable     | provide  | cleaning
            enroll         | manage   | verifying
            available      | manage   | manageable
            clean failed   | manage   | manageable
            inspect failed | manage   | manageable
            adopt failed   | manage   | manageable
            cleaning       | manage   | manageable
            manageable     | inspect  | inspecting
            inspect failed | inspect  | inspecting
            manageable     | adopt    | adopting
            adopt failed   | adopt    | adopting
            active          | rescue  | rescuing
            rescue          | rescue  | rescuing
            rescue failed   | rescue  | rescuing
            unrescue failed | rescue  | rescuing
            service failed  | rescue  | rescuing
            rescue          | unrescue | unrescuing
            rescue failed   | unrescue | unrescuing
            unrescue failed | unrescue | unrescuing
            active         | service  | servicing
            service hold   | service  | servicing
            service failed | service  | servicing
            """;

    private static List<ProvisionStateMachine.Edge> expectedEdges() {
        return IRONIC_TABLE
                .lines()
                .filter(line -> !line.isBlank())
                .map(line -> line.split("\\|"))
                .map(cells -> new ProvisionStateMachine.Edge(
                        ProvisionState.fromValue(cells[0].trim()),
                        ProvisionEvent.fromName(cells[1].trim()),
                        ProvisionState.fromValue(cells[2].trim())))
                .collect(Collectors.toList());
    }

    static Stream<ProvisionStateMachine.Edge> ironicTransitions() {
        return expectedEdges().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ironicTransitions")
    void everyTransitionOfTheTableIsAccepted(ProvisionStateMachine.Edge edge) {
        assertEquals(Optional.of(edge.to()), FSM.next(edge.from(), edge.event()));
        assertTrue(FSM.isActionable(edge.from(), edge.event()));
        assertTrue(FSM.actionableEvents(edge.from()).contains(edge.event()));
        for (boolean hasCallback : new boolean[] {false, true}) {
            Transition t = FSM.apply(edge.from(), edge.from().defaultTarget(), edge.event(), hasCallback);
            assertEquals(edge.to(), t.state());
            assertEquals(edge.from(), t.previousState());
            assertEquals(edge.event(), t.event());
        }
    }

    @Test
    void theMachineHasExactlyTheTransitionsOfTheTable() {
        List<ProvisionStateMachine.Edge> expected = expectedEdges();
        assertEquals(93, expected.size(), "the hand-written table itself");
        assertEquals(expected.size(), new HashSet<>(expected).size(), "no duplicate rows in the table");
        assertEquals(new HashSet<>(expected), new HashSet<>(FSM.edges()));
        assertEquals(expected.size(), FSM.edges().size());
    }

    @Test
    void isActionableAgreesWithTheTableForEveryStateAndEvent() {
        Set<String> allowed =
                expectedEdges().stream().map(e -> e.from() + " + " + e.event()).collect(Collectors.toSet());
        List<String> disagreements = new ArrayList<>();
        int pairs = 0;
        for (ProvisionState state : ProvisionState.values()) {
            for (ProvisionEvent event : ProvisionEvent.values()) {
                pairs++;
                boolean expected = allowed.contains(state + " + " + event);
                if (FSM.isActionable(state, event) != expected) {
                    disagreements.add(state + " + " + event + " expected actionable=" + expected);
                }
                if (FSM.next(state, event).isPresent() != expected) {
                    disagreements.add(state + " + " + event + " next() disagrees");
                }
                if (!expected) {
                    assertThrows(
                            InvalidStateException.class,
                            () -> FSM.apply(state, NOSTATE, event, true),
                            state + " + " + event);
                }
            }
        }
        assertEquals(30 * 18, pairs);
        assertEquals(List.of(), disagreements);
    }

    @ParameterizedTest(name = "{0} + {1} is refused")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            clean failed   | provide
            clean failed   | clean
            deploy hold    | fail
            active         | deploy
            available      | delete
            enroll         | provide
            manageable     | deploy
            deploying      | abort
            cleaning       | abort
            error          | deploy
            verifying      | abort
            rescue         | deploy
            inspecting     | abort
            clean hold     | fail
            deploy failed  | manage
            service failed | fail
            active         | done
            available      | done
            enroll         | inspect
            deleting       | abort
            adopt failed   | delete
            """)
    void illegalEventsAreRejected(String stateValue, String eventName) {
        ProvisionState state = ProvisionState.fromValue(stateValue);
        ProvisionEvent event = ProvisionEvent.fromName(eventName);
        assertFalse(FSM.isActionable(state, event));
        assertEquals(Optional.empty(), FSM.next(state, event));
        InvalidStateException e =
                assertThrows(InvalidStateException.class, () -> FSM.apply(state, state.defaultTarget(), event, false));
        assertEquals(state, e.state());
        assertEquals(Optional.of(event), e.event());
        assertEquals(state.defaultTarget(), e.target());
    }

    @Test
    void refusalUsesIronicsMessage() {
        InvalidStateException e = assertThrows(
                InvalidStateException.class,
                () -> FSM.apply(CLEANFAIL, Optional.of(AVAILABLE), ProvisionEvent.PROVIDE, false));
        assertEquals(
                "Can not transition from state 'clean failed' on event 'provide' (no defined transition)",
                e.getMessage());
    }

    @Test
    void actionableEventsOfAStateAreListed() {
        assertEquals(Set.of(ProvisionEvent.MANAGE), FSM.actionableEvents(CLEANFAIL));
        assertEquals(Set.of(ProvisionEvent.ABORT, ProvisionEvent.UNHOLD), FSM.actionableEvents(DEPLOYHOLD));
        assertEquals(
                Set.of(ProvisionEvent.REBUILD, ProvisionEvent.DELETE, ProvisionEvent.RESCUE, ProvisionEvent.SERVICE),
                FSM.actionableEvents(ACTIVE));
        assertEquals(Set.of(ProvisionEvent.DEPLOY, ProvisionEvent.MANAGE), FSM.actionableEvents(AVAILABLE));
    }

    @Test
    void theSharedMachineIsOneImmutableInstance() {
        assertSame(FSM, ProvisionStateMachine.ironic());
        assertThrows(UnsupportedOperationException.class, () -> FSM.edges().clear());
        assertThrows(UnsupportedOperationException.class, () -> FSM.actionableEvents(ACTIVE)
                .clear());
    }

    // ---- Target semantics, ironic/common/fsm.py ----

    @Test
    void deployStartSetsTargetActive() {
        Transition t = FSM.apply(AVAILABLE, NOSTATE, ProvisionEvent.DEPLOY, true);
        assertEquals(DEPLOYING, t.state());
        assertEquals(Optional.of(ACTIVE), t.target());
        assertEquals(NOSTATE, t.previousTarget());
    }

    @Test
    void deployFailureKeepsTargetActive() {
        for (boolean hasCallback : new boolean[] {false, true}) {
            Transition t = FSM.apply(DEPLOYING, Optional.of(ACTIVE), ProvisionEvent.FAIL, hasCallback);
            assertEquals(DEPLOYFAIL, t.state());
            assertEquals(Optional.of(ACTIVE), t.target());
        }
        Transition waitTimeout = FSM.apply(DEPLOYWAIT, Optional.of(ACTIVE), ProvisionEvent.FAIL, true);
        assertEquals(Optional.of(ACTIVE), waitTimeout.target());
    }

    @Test
    void reachingAStableStateWithoutCallbackClearsTheTarget() {
        assertEquals(
                NOSTATE,
                FSM.apply(DEPLOYING, Optional.of(ACTIVE), ProvisionEvent.DONE, false)
                        .target());
        assertEquals(
                NOSTATE,
                FSM.apply(AVAILABLE, NOSTATE, ProvisionEvent.MANAGE, false).target());
        assertEquals(
                NOSTATE,
                FSM.apply(CLEANING, Optional.of(AVAILABLE), ProvisionEvent.DONE, false)
                        .target());
        assertEquals(
                NOSTATE,
                FSM.apply(VERIFYING, Optional.of(MANAGEABLE), ProvisionEvent.FAIL, false)
                        .target());
        Transition teardownFailed = FSM.apply(DELETING, Optional.of(AVAILABLE), ProvisionEvent.FAIL, false);
        assertEquals(ERROR, teardownFailed.state());
        assertEquals(NOSTATE, teardownFailed.target());
    }

    @Test
    void withACallbackTheMachinesTargetIsStoredEvenForAStableState() {
        // The target was reached, so the machine cleared it.
        assertEquals(
                NOSTATE,
                FSM.apply(SERVICEFAIL, Optional.of(ACTIVE), ProvisionEvent.ABORT, true)
                        .target());
        // VERIFYING --fail--> ENROLL does not reach MANAGEABLE and ENROLL has no default, so it stays.
        Transition t = FSM.apply(VERIFYING, Optional.of(MANAGEABLE), ProvisionEvent.FAIL, true);
        assertEquals(ENROLL, t.state());
        assertEquals(Optional.of(MANAGEABLE), t.target());
    }

    @Test
    void automatedCleaningFailureKeepsTargetAvailable() {
        Transition provide = FSM.apply(MANAGEABLE, NOSTATE, ProvisionEvent.PROVIDE, true);
        assertEquals(CLEANING, provide.state());
        assertEquals(Optional.of(AVAILABLE), provide.target());
        Transition failed = FSM.apply(provide.state(), provide.target(), ProvisionEvent.FAIL, false);
        assertEquals(CLEANFAIL, failed.state());
        assertEquals(Optional.of(AVAILABLE), failed.target());
    }

    @Test
    void manualCleaningCarriesTargetManageableThroughTheOverrides() {
        Optional<ProvisionState> manageable = Optional.of(MANAGEABLE);
        Transition clean = FSM.apply(MANAGEABLE, NOSTATE, ProvisionEvent.CLEAN, manageable, false, true);
        assertEquals(CLEANING, clean.state());
        assertEquals(manageable, clean.target());

        Transition wait = FSM.apply(CLEANING, manageable, ProvisionEvent.WAIT, manageable, false, false);
        assertEquals(CLEANWAIT, wait.state());
        assertEquals(manageable, wait.target());

        // Without the override the state's default wins, which is why Ironic passes it on every step.
        assertEquals(
                Optional.of(AVAILABLE),
                FSM.apply(CLEANING, manageable, ProvisionEvent.WAIT, false).target());

        // CLEANWAIT timeout: keep_target_state=True.
        Transition timeout = FSM.apply(CLEANWAIT, manageable, ProvisionEvent.FAIL, NOSTATE, true, true);
        assertEquals(CLEANFAIL, timeout.state());
        assertEquals(manageable, timeout.target());

        // Without keepTarget the CLEANFAIL default (available) would be shown.
        assertEquals(
                Optional.of(AVAILABLE),
                FSM.apply(CLEANWAIT, manageable, ProvisionEvent.FAIL, true).target());

        // End of manual cleaning.
        Transition end = FSM.apply(CLEANING, manageable, ProvisionEvent.MANAGE, false);
        assertEquals(MANAGEABLE, end.state());
        assertEquals(NOSTATE, end.target());
    }

    @Test
    void keepTargetWithNoStoredTargetFallsBackToTheDefault() {
        Transition t = FSM.apply(CLEANWAIT, NOSTATE, ProvisionEvent.FAIL, NOSTATE, true, true);
        assertEquals(Optional.of(AVAILABLE), t.target());
    }

    @Test
    void aNodeWithoutTargetStartsFromTheStatesDefault() {
        // fsm.initialize(state, None) uses the state's default target.
        Transition t = FSM.apply(DEPLOYWAIT, NOSTATE, ProvisionEvent.FAIL, true);
        assertEquals(Optional.of(ACTIVE), t.target());
        assertEquals(NOSTATE, t.previousTarget());
    }

    @Test
    void tearDownHeadsForAvailable() {
        Transition t = FSM.apply(ACTIVE, NOSTATE, ProvisionEvent.DELETE, true);
        assertEquals(DELETING, t.state());
        assertEquals(Optional.of(AVAILABLE), t.target());
        Transition clean = FSM.apply(t.state(), t.target(), ProvisionEvent.CLEAN, true);
        assertEquals(Optional.of(AVAILABLE), clean.target());
    }

    @Test
    void everyResultingTargetIsEmptyOrStable() {
        for (ProvisionStateMachine.Edge edge : FSM.edges()) {
            for (boolean hasCallback : new boolean[] {false, true}) {
                Optional<ProvisionState> target = FSM.apply(
                                edge.from(), edge.from().defaultTarget(), edge.event(), hasCallback)
                        .target();
                assertTrue(target.map(ProvisionState::isStable).orElse(true), edge + " -> " + target);
                if (!hasCallback && edge.to().isStable()) {
                    assertEquals(NOSTATE, target, edge.toString());
                }
                if (!edge.to().isStable()) {
                    assertEquals(edge.to().defaultTarget(), target, edge.toString());
                }
            }
        }
    }

    @Test
    void aTargetOverrideMustBeStable() {
        InvalidStateException e = assertThrows(
                InvalidStateException.class,
                () -> FSM.apply(MANAGEABLE, NOSTATE, ProvisionEvent.CLEAN, Optional.of(CLEANING), false, true));
        assertEquals("Target state 'cleaning' is not a 'stable' state", e.getMessage());
        assertEquals(Optional.of(CLEANING), e.target());
    }

    @Test
    void aStoredTargetMustBeStable() {
        assertThrows(
                InvalidStateException.class,
                () -> FSM.apply(DEPLOYING, Optional.of(DEPLOYWAIT), ProvisionEvent.DONE, false));
    }

    @Test
    void keepTargetAndOverrideAreExclusive() {
        assertThrows(
                IllegalArgumentException.class,
                () -> FSM.apply(
                        CLEANWAIT, Optional.of(MANAGEABLE), ProvisionEvent.FAIL, Optional.of(AVAILABLE), true, true));
    }

    @Test
    void transitionRecordsWhatWasThere() {
        Transition t = FSM.apply(DEPLOYWAIT, Optional.of(ACTIVE), ProvisionEvent.RESUME, true);
        assertEquals(
                new Transition(DEPLOYWAIT, Optional.of(ACTIVE), ProvisionEvent.RESUME, DEPLOYING, Optional.of(ACTIVE)),
                t);
        assertEquals(NotificationStatus.SUCCESS, t.notificationStatus());
    }
}
