package io.anvil.sim.redfish;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One attribute of the simulated BIOS (its registry entry): name, type ({@code Enumeration}, {@code Integer},
 * {@code String}), allowed values of an enumeration, bounds of an integer, read-only flag and default.
 */
record BiosAttribute(String name, String type, List<String> values, int min, int max, boolean readOnly, Object dflt) {

    /** The simulated BIOS's attributes, in registry order (names as in DMTF's Bios mockups and Dell's). */
    static final List<BiosAttribute> ALL = List.of(
            enumeration("BootMode", "Uefi", "Uefi", "Bios"),
            enumeration("ProcHyperthreading", "Enabled", "Enabled", "Disabled"),
            enumeration("ProcVirtualization", "Enabled", "Enabled", "Disabled"),
            enumeration("ProcTurboMode", "Enabled", "Enabled", "Disabled"),
            enumeration("SriovGlobalEnable", "Disabled", "Enabled", "Disabled"),
            enumeration("PowerProfile", "MaxPerf", "MaxPerf", "Balanced", "PowerSaver"),
            enumeration("NicBoot1", "NetworkBoot", "NetworkBoot", "Disabled"),
            enumeration("EmbeddedSata", "Ahci", "Ahci", "Raid"),
            enumeration("UsbControl", "UsbEnabled", "UsbEnabled", "UsbDisabled"),
            new BiosAttribute("ProcCoreDisable", "Integer", List.of(), 0, 64, false, 0),
            new BiosAttribute("AdminPhone", "String", List.of(), 0, 64, false, ""),
            new BiosAttribute("SystemServiceTag", "String", List.of(), 0, 16, true, ""));

    static final Map<String, BiosAttribute> BY_NAME;

    static {
        Map<String, BiosAttribute> m = new LinkedHashMap<>();
        for (BiosAttribute a : ALL) {
            m.put(a.name, a);
        }
        BY_NAME = m;
    }

    private static BiosAttribute enumeration(String name, String dflt, String... values) {
        return new BiosAttribute(name, "Enumeration", List.of(values), 0, 0, false, dflt);
    }

    /** The value to store for a requested {@code value}; a {@link RedfishError} when it does not fit. */
    Object accept(Object value) {
        if (readOnly) {
            throw RedfishError.notWritable("Attributes/" + name);
        }
        switch (type) {
            case "Enumeration" -> {
                if (!(value instanceof String s) || !values.contains(s)) {
                    throw RedfishError.notInList("Attributes/" + name, value);
                }
                return s;
            }
            case "Integer" -> {
                if (!(value instanceof Number n) || n.doubleValue() != n.longValue()) {
                    throw RedfishError.typeError("Attributes/" + name, value);
                }
                if (n.longValue() < min || n.longValue() > max) {
                    throw RedfishError.notInList("Attributes/" + name, value);
                }
                return n.intValue();
            }
            default -> {
                if (!(value instanceof String s)) {
                    throw RedfishError.typeError("Attributes/" + name, value);
                }
                if (s.length() > max) {
                    throw RedfishError.notInList("Attributes/" + name, value);
                }
                return s;
            }
        }
    }
}
