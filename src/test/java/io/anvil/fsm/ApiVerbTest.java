package io.anvil.fsm;

import static io.anvil.fsm.ProvisionState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiVerbTest {

    /**
     * Ironic's {@code ironic/common/states.py: VERBS} and {@code NodeStatesController.provision}: target | event |
     * minimum microversion | conductor action.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            active   | deploy   | 1.1  | DO_NODE_DEPLOY
            deploy   | deploy   | 1.73 | DO_NODE_DEPLOY
            rebuild  | rebuild  | 1.1  | DO_NODE_DEPLOY
            deleted  | delete   | 1.1  | DO_NODE_TEAR_DOWN
            undeploy | delete   | 1.73 | DO_NODE_TEAR_DOWN
            manage   | manage   | 1.4  | DO_PROVISIONING_ACTION
            provide  | provide  | 1.4  | DO_PROVISIONING_ACTION
            inspect  | inspect  | 1.6  | INSPECT_HARDWARE
            abort    | abort    | 1.13 | DO_PROVISIONING_ACTION
            clean    | clean    | 1.15 | DO_NODE_CLEAN
            adopt    | adopt    | 1.17 | DO_PROVISIONING_ACTION
            rescue   | rescue   | 1.38 | DO_NODE_RESCUE
            unrescue | unrescue | 1.38 | DO_NODE_UNRESCUE
            unhold   | unhold   | 1.85 | DO_PROVISIONING_ACTION
            service  | service  | 1.87 | DO_NODE_SERVICE
            """)
    void verbTable(String target, String event, String minimum, ConductorAction action) {
        ApiVerb verb = ApiVerb.fromTarget(target).orElseThrow();
        assertEquals(target, verb.target());
        assertEquals(ProvisionEvent.fromName(event), verb.event());
        Microversion min = Microversion.parse(minimum);
        assertEquals(min, verb.minimumVersion());
        assertEquals(action, verb.conductorAction());
        // Exactly at the minimum it is allowed, one below it is not (406).
        ProvisionState anyOrdinaryState = MANAGEABLE;
        assertTrue(verb.isAllowedAt(min, anyOrdinaryState));
        if (min.minor() > 1) {
            assertFalse(verb.isAllowedAt(Microversion.of(min.minor() - 1), anyOrdinaryState));
        }
    }

    @Test
    void allFifteenTargetsAreKnownAndNothingElse() {
        assertEquals(
                Set.of(
                        "active",
                        "deploy",
                        "rebuild",
                        "deleted",
                        "undeploy",
                        "manage",
                        "provide",
                        "inspect",
                        "abort",
                        "clean",
                        "adopt",
                        "rescue",
                        "unrescue",
                        "unhold",
                        "service"),
                Arrays.stream(ApiVerb.values()).map(ApiVerb::target).collect(Collectors.toSet()));
        for (String unknown : List.of("delete", "available", "deploying", "ACTIVE", "hold", "done", "fail")) {
            assertEquals(Optional.empty(), ApiVerb.fromTarget(unknown), unknown);
        }
        assertEquals(Optional.empty(), ApiVerb.fromTarget(null));
    }

    @Test
    void abortFromDeployWaitNeedsMicroversion110() {
        assertEquals(Microversion.of(110), ApiVerb.ABORT.minimumVersion(DEPLOYWAIT));
        assertFalse(ApiVerb.ABORT.isAllowedAt(Microversion.of(109), DEPLOYWAIT));
        assertTrue(ApiVerb.ABORT.isAllowedAt(Microversion.of(110), DEPLOYWAIT));
        // Other abort sources keep 1.13.
        for (ProvisionState s :
                List.of(DEPLOYHOLD, CLEANWAIT, CLEANHOLD, RESCUEWAIT, SERVICEWAIT, SERVICEHOLD, SERVICEFAIL)) {
            assertEquals(Microversion.of(13), ApiVerb.ABORT.minimumVersion(s), s.toString());
            assertTrue(ApiVerb.ABORT.isAllowedAt(Microversion.of(13), s), s.toString());
        }
        // The per-state rule is about abort only.
        assertEquals(Microversion.of(1), ApiVerb.DELETED.minimumVersion(DEPLOYWAIT));
    }

    @Test
    void abortFromInspectWaitNeedsMicroversion41() {
        assertFalse(ApiVerb.ABORT.isAllowedAt(Microversion.of(40), INSPECTWAIT));
        assertTrue(ApiVerb.ABORT.isAllowedAt(Microversion.of(41), INSPECTWAIT));
    }

    @Test
    void everyVerbsEventExistsInTheMachine() {
        ProvisionStateMachine fsm = ProvisionStateMachine.ironic();
        for (ApiVerb verb : ApiVerb.values()) {
            assertTrue(
                    Arrays.stream(ProvisionState.values()).anyMatch(s -> fsm.isActionable(s, verb.event())),
                    verb.toString());
        }
    }

    @Test
    void maintenanceRefusesDeployAndRebuildOnly() {
        Set<ApiVerb> refused = Arrays.stream(ApiVerb.values())
                .filter(ApiVerb::isRefusedInMaintenance)
                .collect(Collectors.toSet());
        assertEquals(Set.of(ApiVerb.ACTIVE, ApiVerb.DEPLOY, ApiVerb.REBUILD), refused);
    }

    @Test
    void cleanNeedsCleanSteps() {
        String required = "\"clean_steps\" is required when setting target provision state to clean";
        assertEquals(Optional.of(required), ApiVerb.CLEAN.checkParameters(ProvisionParameters.none()));
        assertEquals(
                Optional.of(required), ApiVerb.CLEAN.checkParameters(ProvisionParameters.withCleanSteps(List.of())));
        assertEquals(
                Optional.empty(),
                ApiVerb.CLEAN.checkParameters(ProvisionParameters.withCleanSteps(
                        List.of(Map.of("interface", "deploy", "step", "erase_devices")))));
    }

    @Test
    void serviceNeedsServiceSteps() {
        assertEquals(
                Optional.of("\"service_steps\" is required when setting target provision state to service"),
                ApiVerb.SERVICE.checkParameters(ProvisionParameters.none()));
        assertEquals(
                Optional.empty(),
                ApiVerb.SERVICE.checkParameters(
                        ProvisionParameters.withServiceSteps(List.of(Map.of("interface", "bios", "step", "apply")))));
    }

    @Test
    void rescueNeedsANonBlankPassword() {
        String required = "A non-empty \"rescue_password\" is required when setting target provision state to rescue";
        assertEquals(Optional.of(required), ApiVerb.RESCUE.checkParameters(ProvisionParameters.none()));
        for (String blank : List.of("", "  ")) {
            assertEquals(
                    Optional.of(required),
                    ApiVerb.RESCUE.checkParameters(ProvisionParameters.withRescuePassword(blank)));
        }
        assertEquals(
                Optional.empty(), ApiVerb.RESCUE.checkParameters(ProvisionParameters.withRescuePassword("s3cret")));
    }

    @Test
    void fieldsBelongingToAnotherVerbAreRefused() {
        assertEquals(
                Optional.of("\"clean_steps\" is only valid when setting target provision state to clean"),
                ApiVerb.PROVIDE.checkParameters(ProvisionParameters.withCleanSteps(List.of(Map.of()))));
        assertEquals(
                Optional.of("\"rescue_password\" is only valid when setting target provision state to rescue"),
                ApiVerb.ACTIVE.checkParameters(ProvisionParameters.withRescuePassword("")));
        assertEquals(
                Optional.of("\"service_steps\" is only valid when setting target provision state to service"),
                ApiVerb.CLEAN.checkParameters(new ProvisionParameters(List.of(Map.of()), List.of(Map.of()), null)));
        // Verbs without required fields accept an empty body.
        for (ApiVerb verb : ApiVerb.values()) {
            if (verb != ApiVerb.CLEAN && verb != ApiVerb.SERVICE && verb != ApiVerb.RESCUE) {
                assertEquals(Optional.empty(), verb.checkParameters(ProvisionParameters.none()), verb.toString());
            }
        }
    }

    @Test
    void microversionsCompareNumerically() {
        assertEquals(new Microversion(1, 110), Microversion.parse("1.110"));
        assertTrue(Microversion.parse("1.110").isAtLeast(Microversion.parse("1.73")));
        assertFalse(Microversion.parse("1.9").isAtLeast(Microversion.parse("1.73")));
        assertEquals("1.73", Microversion.of(73).toString());
        assertEquals(Microversion.of(1), Microversion.MIN);
        for (String bad : List.of("latest", "1", "1.", "v1.2", "1.2.3", "")) {
            assertThrows(IllegalArgumentException.class, () -> Microversion.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Microversion.parse(null));
    }
}
