package io.anvil.fsm;

import static io.anvil.fsm.ProvisionState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NotificationStatusTest {

    /** Examples of {@code TaskManager._notify_provision_state_change}, plus one per rule for the ordering. */
    @ParameterizedTest(name = "{0} --{1}--> {2} is {3}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            available      | deploy  | deploying      | start
            wait call-back | resume  | deploying      | success
            deploying      | wait    | wait call-back | success
            deploying      | done    | active         | end
            available      | manage  | manageable     | success
            wait call-back | abort   | deploy failed  | end
            wait call-back | fail    | deploy failed  | error
            deploying      | hold    | deploy hold    | end
            deploy hold    | unhold  | wait call-back | start
            verifying      | fail    | enroll         | error
            deleting       | fail    | error          | error
            service failed | wait    | service wait   | start
            service failed | abort   | active         | success
            clean wait     | abort   | clean failed   | end
            manageable     | provide | cleaning       | start
            deleting       | clean   | cleaning       | success
            """)
    void provisionStatusFollowsIronicsRules(String previous, String event, String current, String status) {
        NotificationStatus actual = NotificationStatus.forProvisionChange(
                ProvisionEvent.fromName(event), ProvisionState.fromValue(previous), ProvisionState.fromValue(current));
        assertEquals(status, actual.value());
    }

    @Test
    void failIsCheckedBeforeStartAndEnd() {
        // unstable -> not unstable would be "end", but fail wins.
        assertEquals(
                NotificationStatus.ERROR,
                NotificationStatus.forProvisionChange(ProvisionEvent.FAIL, DEPLOYING, DEPLOYFAIL));
    }

    @Test
    void levelsAndEventTypes() {
        assertEquals(NotificationLevel.ERROR, NotificationStatus.ERROR.level());
        assertEquals(NotificationLevel.INFO, NotificationStatus.START.level());
        assertEquals(NotificationLevel.INFO, NotificationStatus.END.level());
        assertEquals(NotificationLevel.INFO, NotificationStatus.SUCCESS.level());
        assertEquals("baremetal.node.provision_set.start", NotificationStatus.START.provisionSetEventType());
        assertEquals("baremetal.node.provision_set.error", NotificationStatus.ERROR.provisionSetEventType());
        assertEquals("error", NotificationLevel.ERROR.value());
        assertTrue(NotificationLevel.ERROR.isAtLeast(NotificationLevel.INFO));
        assertFalse(NotificationLevel.DEBUG.isAtLeast(NotificationLevel.INFO));
    }

    @Test
    void everyTransitionOfTheMachineHasAStatusConsistentWithTheTransitionRecord() {
        ProvisionStateMachine fsm = ProvisionStateMachine.ironic();
        for (ProvisionStateMachine.Edge edge : fsm.edges()) {
            Transition t = fsm.apply(edge.from(), edge.from().defaultTarget(), edge.event(), true);
            NotificationStatus status = t.notificationStatus();
            assertEquals(NotificationStatus.forProvisionChange(edge.event(), edge.from(), edge.to()), status);
            assertEquals(edge.event() == ProvisionEvent.FAIL, status == NotificationStatus.ERROR, edge.toString());
        }
    }
}
