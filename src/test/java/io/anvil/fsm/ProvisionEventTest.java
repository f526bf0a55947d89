package io.anvil.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProvisionEventTest {

    @Test
    void eventNamesAreIronics() {
        assertEquals(
                List.of(
                        "deploy",
                        "rebuild",
                        "wait",
                        "resume",
                        "hold",
                        "unhold",
                        "done",
                        "fail",
                        "abort",
                        "delete",
                        "clean",
                        "provide",
                        "manage",
                        "inspect",
                        "adopt",
                        "rescue",
                        "unrescue",
                        "service"),
                Arrays.stream(ProvisionEvent.values())
                        .map(ProvisionEvent::eventName)
                        .collect(Collectors.toList()));
        for (ProvisionEvent event : ProvisionEvent.values()) {
            assertEquals(event, ProvisionEvent.fromName(event.eventName()));
            assertEquals(event.eventName(), event.toString());
        }
    }

    @Test
    void unknownNamesAreRejected() {
        assertEquals(Optional.empty(), ProvisionEvent.lookup("error"));
        assertEquals(Optional.empty(), ProvisionEvent.lookup(null));
        assertThrows(IllegalArgumentException.class, () -> ProvisionEvent.fromName("active"));
    }
}
