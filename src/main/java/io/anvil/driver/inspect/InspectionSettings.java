package io.anvil.driver.inspect;

import io.anvil.config.AnvilConfig;
import java.util.Locale;
import java.util.Set;

/**
 * How inspection data becomes node properties and ports (Ironic's [inspector] options of the same names).
 *
 * @param addPorts                which NICs get a port: {@code pxe} (the one that PXE-booted; every NIC when the
 *                                inventory does not say), {@code active} (NICs with an IP address), {@code all},
 *                                {@code disabled}
 * @param keepPorts               which existing ports stay: {@code all}, {@code present} (MAC in the inventory),
 *                                {@code added} (MAC chosen by addPorts)
 * @param updatePxeEnabled        set each port's {@code pxe_enabled} to whether its NIC PXE-booted
 * @param diskPartitioningSpacing {@code local_gb} leaves 1 GiB of the root disk for partitioning
 */
public record InspectionSettings(
        String addPorts, String keepPorts, boolean updatePxeEnabled, boolean diskPartitioningSpacing) {
    private static final Set<String> ADD = Set.of("pxe", "active", "all", "disabled");
    private static final Set<String> KEEP = Set.of("all", "present", "added");

    public InspectionSettings {
        addPorts = addPorts.toLowerCase(Locale.ROOT);
        keepPorts = keepPorts.toLowerCase(Locale.ROOT);
        if (!ADD.contains(addPorts)) {
            throw new AnvilConfig.ConfigException(
                    "inspector.add_ports must be one of pxe, active, all, disabled; got '" + addPorts + "'");
        }
        if (!KEEP.contains(keepPorts)) {
            throw new AnvilConfig.ConfigException(
                    "inspector.keep_ports must be one of all, present, added; got '" + keepPorts + "'");
        }
    }

    public static InspectionSettings defaults() {
        return new InspectionSettings("pxe", "all", true, true);
    }

    public static InspectionSettings from(AnvilConfig config) {
        return new InspectionSettings(
                config.setting("inspector.add_ports").map(Object::toString).orElse("pxe"),
                config.setting("inspector.keep_ports").map(Object::toString).orElse("all"),
                config.setting("inspector.update_pxe_enabled")
                        .map(InspectionSettings::bool)
                        .orElse(true),
                config.setting("inspector.disk_partitioning_spacing")
                        .map(InspectionSettings::bool)
                        .orElse(true));
    }

    private static boolean bool(Object o) {
        return o instanceof Boolean b ? b : Boolean.parseBoolean(o.toString().trim());
    }
}
