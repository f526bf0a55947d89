package io.anvil.conductor;

import io.anvil.driver.HardwareType;
import io.anvil.driver.HardwareTypes;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.FieldSpec;
import io.anvil.store.FieldType;
import io.anvil.store.Resources;
import io.anvil.store.SqlValues;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Ironic's rules for writing a node record: what a new node gets by default, which changes a patch may make in
 * which provision state, what else a change implies, and when a node may be deleted. The checks of Ironic's
 * {@code ironic/api/controllers/v1/node.py: NodesController.post / patch / delete} and
 * {@code ironic/conductor/manager.py: ConductorManager.update_node / destroy_node}, in one place and without HTTP:
 * the API parses the request, this class decides, the {@link Task} writes. A broken rule throws an
 * {@link AnvilException} carrying Ironic's message.
 */
public final class NodeUpdates {

    /** Ironic's {@code utils.is_valid_logical_name}: RFC 3986 unreserved characters. */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9\\-._~]+$");

    /**
     * Names that are a path of the nodes controller, not a node (Ironic's get_nodes_controller_reserved_names: its
     * sub-controllers, then its custom actions).
     */
    private static final List<String> RESERVED_NAMES =
            List.of("maintenance", "management", "states", "vendor_passthru", "detail", "validate");

    private static final Pattern GROUP = Pattern.compile("^[A-Za-z0-9_\\-.]*$");

    /**
     * Where interface fields (and the driver) may change without maintenance ({@code ConductorManager.update_node}),
     * in the order the error message lists them.
     */
    private static final List<ProvisionState> INTERFACE_UPDATE_STATES = List.of(
            ProvisionState.ENROLL,
            ProvisionState.INSPECTING,
            ProvisionState.INSPECTWAIT,
            ProvisionState.MANAGEABLE,
            ProvisionState.AVAILABLE);

    /**
     * Ironic's {@code DELETE_ALLOWED_STATES} plus available ({@code [conductor]allow_deleting_available_nodes},
     * default True), in the order the error message lists them.
     */
    private static final List<ProvisionState> DELETE_ALLOWED = List.of(
            ProvisionState.MANAGEABLE, ProvisionState.ENROLL, ProvisionState.ADOPTFAIL, ProvisionState.AVAILABLE);

    /** Whether some alive conductor runs {@code driver} in {@code group} (Ironic's {@code get_topic_for}). */
    @FunctionalInterface
    public interface ConductorCheck {
        boolean served(String nodeUuid, String driver, String group);
    }

    private final HardwareTypes hardwareTypes;
    private final ConductorCheck conductors;

    public NodeUpdates(HardwareTypes hardwareTypes, ConductorCheck conductors) {
        this.hardwareTypes = hardwareTypes;
        this.conductors = conductors;
    }

    /** Ironic's {@code is_valid_logical_name}: true for a name a node may have (and an identifier may use). */
    public static boolean isLogicalName(String name) {
        // Ironic's utils.is_valid_logical_name: RFC 3986 unreserved characters, at most 255 of them
        return name.length() <= 255 && NAME.matcher(name).matches();
    }

    /**
     * Completes the columns of a new node (already checked field by field, {@code driver} present): conductor
     * group and name validated, each interface defaulted from the hardware type or checked against it, a UUID,
     * a conductor that can take the node, and the initial provision state.
     */
    public Map<String, Object> creation(Map<String, Object> cols, ProvisionState initial) {
        String driver = (String) cols.get("driver");
        String group = cols.get("conductor_group") == null ? "" : ((String) cols.get("conductor_group"));
        validateGroup(group);
        cols.put("conductor_group", group.toLowerCase());
        HardwareType type = hardwareType(driver, group);
        validateName((String) cols.get("name"));
        for (String iface : Resources.INTERFACES) {
            String key = iface + "_interface";
            String impl = (String) cols.get(key);
            if (impl == null) {
                cols.put(key, type.defaultFor(iface));
            } else if (!type.supports(iface, impl)) {
                throw incompatible(iface, impl, type);
            }
        }
        cols.putIfAbsent("uuid", UUID.randomUUID());
        requireConductor(cols.get("uuid").toString(), driver, group);
        cols.put("provision_state", initial.value());
        cols.put("provision_updated_at", OffsetDateTime.now());
        cols.put("updated_at", null);
        return cols;
    }

    /**
     * Validates the patched node against Ironic's rules and returns the columns to write: only those that
     * differ, plus what a change implies (interface defaults for a new driver, cleared reasons).
     *
     * @param old     the node as stored
     * @param patched the node after the JSON patch
     * @param touched the top-level fields the patch operations named
     */
    public Map<String, Object> changes(JsonObject old, JsonObject patched, Set<String> touched) {
        return changes(old, patched, touched, false);
    }

    /**
     * As {@link #changes(JsonObject, JsonObject, Set)}; with {@code resetInterfaces} (Ironic's reset_interfaces,
     * only with a new driver) every interface the patch does not name goes back to the new hardware type's default.
     * Without it a new driver keeps the node's interfaces, and one the new type does not support is a 400.
     */
    public Map<String, Object> changes(
            JsonObject old, JsonObject patched, Set<String> touched, boolean resetInterfaces) {
        Map<String, Object> cols = new LinkedHashMap<>();
        for (String field : touched) {
            FieldSpec f = Resources.NODE.field(field);
            Object value = patched.containsKey(field) ? patched.getValue(field) : removedValue(f);
            Object sql = SqlValues.toSql("node", f, value);
            if (!Objects.equals(normalise(old.getValue(field)), normalise(value))) {
                cols.put(field, sql);
            }
        }
        ProvisionState state = ProvisionState.fromValue(old.getString("provision_state"));
        boolean maintenance = Boolean.TRUE.equals(patched.getBoolean("maintenance"));
        String driver = (String) cols.getOrDefault("driver", old.getString("driver"));
        String group = (String) cols.getOrDefault("conductor_group", old.getString("conductor_group"));
        if (cols.containsKey("conductor_group")) {
            validateGroup(group);
            cols.put("conductor_group", group.toLowerCase());
        }
        HardwareType type = hardwareType(driver, group);
        boolean driverChanged = cols.containsKey("driver");
        if (driverChanged || cols.containsKey("conductor_group")) {
            requireConductor(old.getString("uuid"), driver, group);
        }
        for (String iface : Resources.INTERFACES) {
            String key = iface + "_interface";
            // only an interface named by the patch is state-checked: a new driver alone is not (update_node)
            if (cols.containsKey(key) && !INTERFACE_UPDATE_STATES.contains(state) && !maintenance) {
                throw AnvilException.conflict("Node " + old.getString("uuid") + " can not have " + key
                        + " updated unless it is in one of allowed (" + values(INTERFACE_UPDATE_STATES, ", ")
                        + ") states or in maintenance mode. Current state is '" + state.value() + "'.");
            }
            String impl = (String) (cols.containsKey(key) ? cols.get(key) : old.getString(key));
            if (impl == null || (driverChanged && resetInterfaces && !touched.contains(key))) {
                cols.put(key, type.defaultFor(iface));
            } else if (!type.supports(iface, impl)) {
                throw incompatible(iface, impl, type);
            }
        }
        if (cols.containsKey("name")) {
            validateName((String) cols.get("name"));
        }
        if (cols.containsKey("instance_uuid")
                && old.getValue("instance_uuid") != null
                && cols.get("instance_uuid") != null) {
            throw AnvilException.conflict("Node " + old.getString("uuid") + " is associated with instance "
                    + old.getString("instance_uuid") + ".");
        }
        // ConductorManager.update_node: clearing the instance of a node with an allocation deletes the allocation
        // (the caller does, in the update's transaction), only in maintenance or where the resource class may change
        if (cols.containsKey("instance_uuid")
                && cols.get("instance_uuid") == null
                && old.getValue("allocation_uuid") != null) {
            if (!Boolean.TRUE.equals(old.getBoolean("maintenance")) && !INTERFACE_UPDATE_STATES.contains(state)) {
                throw AnvilException.conflict("Node " + old.getString("uuid") + " with an allocation can not have "
                        + "instance_uuid removed unless it is in one of allowed ("
                        + values(INTERFACE_UPDATE_STATES, ", ") + ") states or in maintenance mode. Current state "
                        + "is '" + state.value() + "'.");
            }
            cols.put("allocation_uuid", null);
        }
        // ConductorManager._check_update_protected: active or rescue only (InvalidState, 409)
        if (Boolean.TRUE.equals(cols.get("protected"))
                && state != ProvisionState.ACTIVE
                && state != ProvisionState.RESCUE) {
            throw AnvilException.conflict("Node " + old.getString("uuid") + " can only be made protected in provision "
                    + "states 'active' or 'rescue', the current state is '" + state.value() + "'");
        }
        boolean protectedAfter = Boolean.TRUE.equals(
                cols.containsKey("protected") ? cols.get("protected") : old.getBoolean("protected"));
        if (cols.get("protected_reason") != null && !protectedAfter) {
            throw AnvilException.invalid("The protected_reason field can only be set when protected is True");
        }
        if (cols.containsKey("protected") && !protectedAfter) {
            cols.put("protected_reason", null);
        }
        // ConductorManager._check_update_retired: never while available (InvalidState, 409)
        if (Boolean.TRUE.equals(cols.get("retired")) && state == ProvisionState.AVAILABLE) {
            throw AnvilException.conflict("Node " + old.getString("uuid") + " can not have 'retired' set in provision "
                    + "state 'available', the current state is '" + state.value() + "'");
        }
        boolean retiredAfter =
                Boolean.TRUE.equals(cols.containsKey("retired") ? cols.get("retired") : old.getBoolean("retired"));
        if (cols.get("retired_reason") != null && !retiredAfter) {
            throw AnvilException.invalid("The retired_reason field can only be set when retired is True");
        }
        // ConductorManager.update_node: Nova keeps the resource class of a node it has scheduled on
        if (cols.containsKey("resource_class")
                && old.getValue("resource_class") != null
                && !INTERFACE_UPDATE_STATES.contains(state)) {
            throw AnvilException.conflict("Node " + old.getString("uuid") + " can not have resource_class updated "
                    + "unless it is in one of allowed (" + values(INTERFACE_UPDATE_STATES, ", ") + ") states. "
                    + "Current state is '" + state.value() + "'.");
        }
        if (Boolean.FALSE.equals(cols.get("maintenance"))) {
            cols.put("maintenance_reason", null);
            cols.put("fault", null);
        }
        if (cols.containsKey("retired") && !retiredAfter) {
            cols.put("retired_reason", null);
        }
        return cols;
    }

    /**
     * Ironic's delete checks ({@code ConductorManager.destroy_node}): not protected, no instance, and a provision
     * state that allows deletion unless the node is in maintenance.
     */
    public static void checkDeletable(JsonObject node) {
        String uuid = node.getString("uuid");
        if (Boolean.TRUE.equals(node.getBoolean("protected"))) {
            throw AnvilException.invalid("Node " + uuid + " is protected and cannot be undeployed, rebuilt or deleted");
        }
        if (node.getValue("instance_uuid") != null) {
            throw AnvilException.conflict(
                    "Node " + uuid + " is associated with instance " + node.getString("instance_uuid") + ".");
        }
        ProvisionState state = ProvisionState.fromValue(node.getString("provision_state"));
        if (!DELETE_ALLOWED.contains(state) && !Boolean.TRUE.equals(node.getBoolean("maintenance"))) {
            throw AnvilException.conflict("Can not delete node " + uuid + " while it is in provision state \""
                    + state.value() + "\". Valid provision states to perform deletion are: ["
                    + values(DELETE_ALLOWED, ", ") + "], or put the node in maintenance mode.");
        }
    }

    /** The columns that put a node in or out of maintenance; leaving it also clears the reason and the fault. */
    public static Map<String, Object> maintenance(boolean on, String reason) {
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("maintenance", on);
        cols.put("maintenance_reason", on ? reason : null);
        if (!on) {
            cols.put("fault", null);
        }
        return cols;
    }

    private HardwareType hardwareType(String driver, String group) {
        return hardwareTypes.get(driver).orElseThrow(() -> noValidHost(driver, group));
    }

    /** Ironic's {@code get_topic_for}: some alive conductor must run the driver in the node's group. */
    private void requireConductor(String uuid, String driver, String group) {
        if (!conductors.served(uuid, driver, group)) {
            throw noValidHost(driver, group);
        }
    }

    private static AnvilException noValidHost(String driver, String group) {
        return AnvilException.invalid("No valid host was found. Reason: No conductor service registered which "
                + "supports driver " + driver + " for conductor group \"" + (group == null ? "" : group) + "\".");
    }

    private static AnvilException incompatible(String iface, String impl, HardwareType type) {
        return AnvilException.invalid(
                iface + " interface implementation '" + impl + "' is not supported by hardware " + "type " + type.name()
                        + ". Supported: " + String.join(", ", type.interfaces().get(iface)) + ".");
    }

    private static void validateName(String name) {
        if (name != null && (!isLogicalName(name) || SqlValues.uuidOrNull(name) != null)) {
            throw AnvilException.invalid("Expected a logical name but received " + name
                    + ". A name may contain only letters, digits and -._~ and must not look like a UUID.");
        }
        if (name != null && RESERVED_NAMES.contains(name)) {
            throw AnvilException.invalid("The word \"" + name + "\" is reserved and can not be used as a node name. "
                    + "Reserved words are: " + String.join(", ", RESERVED_NAMES) + ".");
        }
    }

    private static void validateGroup(String group) {
        if (group != null && !GROUP.matcher(group).matches()) {
            throw AnvilException.invalid(
                    "Invalid conductor_group '" + group + "': it may contain only letters, digits, '_', '-' and '.'.");
        }
    }

    /** What a removed top-level field becomes: {} for documents, false for flags, null otherwise. */
    private static Object removedValue(FieldSpec f) {
        if (f.type() == FieldType.OBJECT) {
            return new JsonObject();
        }
        if (f.type() == FieldType.BOOL && !f.name().equals("automated_clean")) {
            return false;
        }
        return null;
    }

    /** UUIDs compare as UUIDs, whatever their case or form in the patch. */
    private static Object normalise(Object v) {
        return v instanceof String s && SqlValues.uuidOrNull(s) != null ? SqlValues.uuidOrNull(s) : v;
    }

    private static String values(List<ProvisionState> states, String separator) {
        return states.stream().map(ProvisionState::value).collect(Collectors.joining(separator));
    }
}
