package io.anvil.conductor;

import io.anvil.errors.AnvilException;
import io.anvil.store.SqlValues;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Ironic's value rules for a node's children (ports, portgroups, volume connectors and targets), without HTTP: the
 * checks of Ironic's {@code ironic/api/controllers/v1/types.py} ({@code MacAddressType},
 * {@code LocalLinkConnectionType}) and the resource controllers' own checks. Each method validates the columns
 * about to be written (and normalises them in place where Ironic stores a canonical form); a broken rule throws
 * an {@link AnvilException} carrying Ironic's message.
 */
public final class ChildUpdates {

    /** Ironic's {@code utils.is_valid_mac}: six colon-separated pairs, either case (stored lower case). */
    private static final Pattern MAC = Pattern.compile("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$");

    private static final Pattern DATAPATH_ID = Pattern.compile("^[0-9a-fA-F]{16}$");
    private static final List<String> NETWORK_TYPES = List.of("managed", "unmanaged");
    private static final Set<String> LLC_KEYS =
            Set.of("switch_id", "port_id", "switch_info", "network_type", "hostname");
    private static final Set<String> CONNECTOR_TYPES = Set.of("iqn", "ip", "mac", "wwnn", "wwpn", "port", "portgroup");

    /** Ironic's {@code [DEFAULT]default_portgroup_mode}. */
    public static final String DEFAULT_PORTGROUP_MODE = "active-backup";

    private ChildUpdates() {}

    /** A MAC address in the form Ironic stores (lower case); 400 for anything else. */
    public static String normaliseMac(String mac) {
        if (!MAC.matcher(mac).matches()) {
            throw AnvilException.invalid("Expected a MAC address but received " + mac + ".");
        }
        return mac.toLowerCase();
    }

    public static void validatePort(Map<String, Object> cols) {
        if (cols.get("local_link_connection") instanceof JsonObject llc) {
            validateLocalLink(llc);
        }
    }

    public static void validatePortgroup(Map<String, Object> cols) {
        Object name = cols.get("name");
        if (name != null
                && (!NodeUpdates.isLogicalName((String) name) || SqlValues.uuidOrNull((String) name) != null)) {
            throw AnvilException.invalid("Expected a logical name but received " + name + ".");
        }
    }

    public static void validateVolumeConnector(Map<String, Object> cols) {
        Object type = cols.get("type");
        if (type != null && !CONNECTOR_TYPES.contains(type)) {
            throw AnvilException.invalid("Invalid volume connector type '" + type + "'; allowed: "
                    + String.join(", ", new TreeSet<>(CONNECTOR_TYPES)) + ".");
        }
    }

    public static void validateVolumeTarget(Map<String, Object> cols) {
        Object bootIndex = cols.get("boot_index");
        if (bootIndex != null && (Integer) bootIndex < 0) {
            throw AnvilException.invalid("Invalid boot_index " + bootIndex + ": it must not be negative.");
        }
    }

    /**
     * Ironic's LocalLinkConnectionType: string values, known keys, port_id with switch_id (or hostname for a Smart
     * NIC) unless the network is unmanaged, and switch_id a MAC or a 16-hex-digit OpenFlow datapath id (normalised
     * to lower case in place).
     */
    private static void validateLocalLink(JsonObject llc) {
        if (llc.isEmpty()) {
            return;
        }
        for (String k : llc.fieldNames()) {
            if (!LLC_KEYS.contains(k)) {
                throw AnvilException.invalid("Invalid local_link_connection key '" + k + "'; allowed: "
                        + String.join(", ", new TreeSet<>(LLC_KEYS)) + ".");
            }
            if (!(llc.getValue(k) instanceof String)) {
                throw AnvilException.invalid(
                        "Invalid local_link_connection value for '" + k + "': it must be a string.");
            }
        }
        String networkType = llc.getString("network_type");
        if (networkType != null && !NETWORK_TYPES.contains(networkType)) {
            throw AnvilException.invalid("Invalid local_link_connection network_type '" + networkType + "'; allowed: "
                    + String.join(", ", NETWORK_TYPES) + ".");
        }
        if ("unmanaged".equals(networkType)) {
            return;
        }
        Set<String> keys = llc.fieldNames();
        if (!(keys.contains("port_id") && (keys.contains("switch_id") || keys.contains("hostname")))) {
            throw AnvilException.invalid("Missing mandatory keys. Required keys are {'port_id', 'switch_id'}. Or in"
                    + " case of Smart NIC {'port_id', 'hostname'}. Submitted keys are " + new TreeSet<>(keys)
                    + " .");
        }
        String switchId = llc.getString("switch_id");
        if (switchId != null) {
            if (!MAC.matcher(switchId).matches()
                    && !DATAPATH_ID.matcher(switchId).matches()) {
                throw AnvilException.invalid(
                        "Expected a MAC address or OpenFlow datapath ID but received " + switchId + ".");
            }
            llc.put("switch_id", switchId.toLowerCase());
        }
    }
}
