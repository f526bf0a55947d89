package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.HardwareTypes;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.Resources;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Ironic's node-write rules without HTTP or a database: what is written, and which rule refuses what. */
class NodeUpdatesTest {

    private static final HardwareTypes TYPES = new HardwareTypes(List.of("fake-hardware", "ipmi"));

    private final NodeUpdates updates = new NodeUpdates(TYPES, (uuid, driver, group) -> true);

    /** A stored fake-hardware node: every interface set to its default. */
    private static JsonObject node(ProvisionState state) {
        JsonObject node = new JsonObject()
                .put("uuid", UUID.randomUUID().toString())
                .put("driver", "fake-hardware")
                .put("conductor_group", "")
                .put("provision_state", state.value())
                .put("maintenance", false)
                .put("protected", false);
        for (String iface : Resources.INTERFACES) {
            node.put(
                    iface + "_interface",
                    TYPES.get("fake-hardware").orElseThrow().defaultFor(iface));
        }
        return node;
    }

    @Test
    void aNewNodeGetsItsInitialStateAndTheHardwareTypesDefaults() {
        Map<String, Object> cols = new HashMap<>(Map.of("driver", "ipmi", "conductor_group", "Rack-1"));
        updates.creation(cols, ProvisionState.ENROLL);
        assertEquals("enroll", cols.get("provision_state"));
        assertEquals("rack-1", cols.get("conductor_group"));
        assertEquals("ipmitool", cols.get("power_interface"));
        assertTrue(cols.get("uuid") instanceof UUID);
    }

    @Test
    void aNodeNoConductorCanTakeIsRefused() {
        NodeUpdates noConductor =
                new NodeUpdates(new HardwareTypes(List.of("fake-hardware")), (uuid, driver, group) -> false);
        AnvilException e = assertThrows(
                AnvilException.class,
                () -> noConductor.creation(new HashMap<>(Map.of("driver", "fake-hardware")), ProvisionState.ENROLL));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("No valid host was found."), e.getMessage());
    }

    @Test
    void interfacesChangeOnlyInTheAllowedStatesOrInMaintenance() {
        JsonObject active = node(ProvisionState.ACTIVE);
        JsonObject patched = active.copy().put("network_interface", "noop");
        AnvilException e =
                assertThrows(AnvilException.class, () -> updates.changes(active, patched, Set.of("network_interface")));
        assertEquals(409, e.status());
        assertTrue(
                e.getMessage()
                        .contains("one of allowed (enroll, inspecting, inspect wait, manageable, available) states"),
                e.getMessage());

        JsonObject inMaintenance = patched.copy().put("maintenance", true);
        assertEquals(
                Map.of("network_interface", "noop"),
                updates.changes(active, inMaintenance, Set.of("network_interface")));
        assertEquals(
                Map.of("network_interface", "noop"),
                updates.changes(
                        node(ProvisionState.MANAGEABLE).put("network_interface", "flat"),
                        node(ProvisionState.MANAGEABLE).put("network_interface", "noop"),
                        Set.of("network_interface")));
    }

    @Test
    void protectionNeedsTheActiveStateAndLeavingMaintenanceClearsItsReasonAndFault() {
        JsonObject available = node(ProvisionState.AVAILABLE);
        AnvilException e = assertThrows(
                AnvilException.class,
                () -> updates.changes(available, available.copy().put("protected", true), Set.of("protected")));
        assertEquals(
                "Node " + available.getString("uuid") + " can only be made protected in provision states"
                        + " 'active' or 'rescue', the current state is 'available'",
                e.getMessage());

        JsonObject inMaintenance = available.copy().put("maintenance", true).put("fault", "power failure");
        Map<String, Object> cols =
                updates.changes(inMaintenance, inMaintenance.copy().put("maintenance", false), Set.of("maintenance"));
        assertEquals(Boolean.FALSE, cols.get("maintenance"));
        assertTrue(cols.containsKey("fault"));
        assertNull(cols.get("fault"));
        assertNull(cols.get("maintenance_reason"));
    }

    @Test
    void deletionFollowsTheStateUnlessInMaintenance() {
        JsonObject active = node(ProvisionState.ACTIVE);
        AnvilException e = assertThrows(AnvilException.class, () -> NodeUpdates.checkDeletable(active));
        assertEquals(409, e.status());
        assertTrue(
                e.getMessage()
                        .endsWith("Valid provision states to perform deletion are: [manageable, enroll, adopt failed,"
                                + " available], or put the node in maintenance mode."),
                e.getMessage());
        NodeUpdates.checkDeletable(active.copy().put("maintenance", true));
        NodeUpdates.checkDeletable(node(ProvisionState.AVAILABLE));
        assertEquals(
                400,
                assertThrows(
                                AnvilException.class,
                                () -> NodeUpdates.checkDeletable(
                                        node(ProvisionState.MANAGEABLE).put("protected", true)))
                        .status());
    }

    @Test
    void maintenanceOffClearsTheFault() {
        assertEquals(Map.of("maintenance", true, "maintenance_reason", "disk"), NodeUpdates.maintenance(true, "disk"));
        Map<String, Object> off = NodeUpdates.maintenance(false, "ignored");
        assertFalse((Boolean) off.get("maintenance"));
        assertTrue(off.containsKey("fault"));
        assertNull(off.get("maintenance_reason"));
    }

    @Test
    void retiredCannotBeSetWhileAvailableAndItsReasonNeedsIt() {
        JsonObject available = node(ProvisionState.AVAILABLE).put("retired", false);
        AnvilException e = assertThrows(
                AnvilException.class,
                () -> updates.changes(available, available.copy().put("retired", true), Set.of("retired")));
        assertEquals(409, e.status());
        assertEquals(
                "Node " + available.getString("uuid") + " can not have 'retired' set in provision state 'available',"
                        + " the current state is 'available'",
                e.getMessage());
        JsonObject manageable = node(ProvisionState.MANAGEABLE).put("retired", false);
        AnvilException reason = assertThrows(
                AnvilException.class,
                () -> updates.changes(
                        manageable, manageable.copy().put("retired_reason", "old"), Set.of("retired_reason")));
        assertEquals(400, reason.status());
        assertEquals("The retired_reason field can only be set when retired is True", reason.getMessage());
        Map<String, Object> ok = updates.changes(
                manageable,
                manageable.copy().put("retired", true).put("retired_reason", "old"),
                Set.of("retired", "retired_reason"));
        assertEquals(Map.of("retired", true, "retired_reason", "old"), ok);
        JsonObject retired = manageable.copy().put("retired", true).put("retired_reason", "old");
        Map<String, Object> back = updates.changes(retired, retired.copy().put("retired", false), Set.of("retired"));
        assertTrue(back.containsKey("retired_reason"));
        assertNull(back.get("retired_reason"));
    }

    @Test
    void resourceClassIsFixedOutsideTheUpdateStatesOnceSet() {
        JsonObject active = node(ProvisionState.ACTIVE).put("resource_class", "gold");
        AnvilException e = assertThrows(
                AnvilException.class,
                () -> updates.changes(active, active.copy().put("resource_class", "silver"), Set.of("resource_class")));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("can not have resource_class updated"), e.getMessage());
        // the first resource class of an active node may still be set (Ironic checks only a set one)
        JsonObject unset = node(ProvisionState.ACTIVE);
        assertEquals(
                Map.of("resource_class", "gold"),
                updates.changes(unset, unset.copy().put("resource_class", "gold"), Set.of("resource_class")));
    }

    @Test
    void aNewDriverKeepsTheInterfacesUnlessReset() {
        JsonObject active = node(ProvisionState.ACTIVE);
        JsonObject toIpmi = active.copy().put("driver", "ipmi");
        AnvilException e =
                assertThrows(AnvilException.class, () -> updates.changes(active, toIpmi, Set.of("driver"), false));
        assertEquals(400, e.status());
        Map<String, Object> reset = updates.changes(active, toIpmi, Set.of("driver"), true);
        assertEquals("ipmi", reset.get("driver"));
        assertEquals("ipmitool", reset.get("power_interface"));
    }
}
