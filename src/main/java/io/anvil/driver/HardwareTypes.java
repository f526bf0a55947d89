package io.anvil.driver;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hardware types this build knows and which of them the configuration enables. The interface names are
 * Ironic's, so clients that set {@code power_interface: ipmitool} keep working; Anvil's own IPMI stack sits
 * behind {@code ipmitool} (it speaks the protocol itself instead of forking the tool).
 */
public final class HardwareTypes {
    private static final Map<String, String> IPMI_PROPERTIES = ordered(
            "ipmi_address", "IP address or hostname of the node's BMC. Required.",
            "ipmi_port", "UDP port to connect to the BMC. Optional, default 623.",
            "ipmi_username", "Username of the BMC user. Optional; the anonymous (null) user when absent.",
            "ipmi_password", "Password of the BMC user. Optional.",
            "ipmi_priv_level", "Privilege level: ADMINISTRATOR (default), OPERATOR, USER or CALLBACK. Optional.",
            "ipmi_protocol_version", "IPMI protocol version: \"2.0\" (RMCP+, default) or \"1.5\". Optional.",
            "ipmi_cipher_suite", "RMCP+ cipher suite (3 or 17); by default 17 is tried first, then 3. Optional.",
            "ipmi_hex_kg_key", "BMC key (K_g) in hexadecimal, for two-key authentication. Optional.",
            "ipmi_disable_boot_timeout",
                    "Whether to tell the BMC not to clear the boot device after 60 s (System Boot "
                            + "Options parameter 3) before setting it. Optional; default [ipmi] disable_boot_timeout (true).",
            "ipmi_force_boot_device", "Re-apply the persistent boot device before every power on. Optional.",
            "deploy_kernel", "Kernel image of the deploy ramdisk. Optional.",
            "deploy_ramdisk", "Initramfs of the deploy ramdisk. Optional.");

    private static final HardwareType FAKE = new HardwareType(
            "fake-hardware",
            ordered(
                    "bios", List.of("fake", "no-bios"),
                    "boot", List.of("fake", "ipxe"),
                    "console", List.of("fake", "no-console"),
                    "deploy", List.of("fake", "direct"), // direct: the agent writes the image (docs/agent.md)
                    "inspect", List.of("fake", "no-inspect", "agent"), // agent: in-band inspection (docs/agent.md)
                    "management", List.of("fake"),
                    "network", List.of("flat", "noop"),
                    "power", List.of("fake"),
                    "raid", List.of("fake", "no-raid"),
                    "rescue", List.of("fake", "no-rescue", "agent"), // agent: the rescue ramdisk (docs/agent.md)
                    "storage", List.of("noop", "fake"),
                    "vendor", List.of("fake", "no-vendor")),
            Map.of());

    private static final HardwareType IPMI = new HardwareType(
            "ipmi",
            ordered(
                    "bios", List.of("no-bios"),
                    "boot", List.of("ipxe", "fake"), // Ironic's defaults for ipmi: ipxe boot, direct deploy
                    "console", List.of("no-console", "ipmi-sol"), // ipmi-sol: Anvil's SOL console (docs/console.md)
                    "deploy", List.of("direct", "fake"), // direct: the agent writes the image (docs/agent.md)
                    "inspect", List.of("no-inspect", "agent"), // agent: in-band inspection (docs/agent.md)
                    "management", List.of("ipmitool"),
                    "network", List.of("flat", "noop"),
                    "power", List.of("ipmitool"),
                    "raid", List.of("no-raid"),
                    "rescue", List.of("no-rescue", "agent"), // agent: the rescue ramdisk (docs/agent.md)
                    "storage", List.of("noop"),
                    "vendor", List.of("ipmitool", "no-vendor")), // Ironic's: send_raw, bmc_reset (docs/ipmi.md)
            IPMI_PROPERTIES);

    /**
     * Ironic's redfish hardware type over Anvil's own Redfish client (docs/redfish.md). Ironic's defaults: ipxe boot
     * (redfish-virtual-media for agent ISOs without DHCP/PXE), redfish management, power, inspect, bios and raid.
     */
    private static final HardwareType REDFISH = new HardwareType(
            "redfish",
            ordered(
                    "bios", List.of("no-bios", "redfish"),
                    "boot", List.of("ipxe", "redfish-virtual-media", "fake"),
                    "console", List.of("no-console"),
                    "deploy", List.of("direct", "fake"),
                    "inspect", List.of("redfish", "agent", "no-inspect"),
                    "management", List.of("redfish"),
                    "network", List.of("flat", "noop"),
                    "power", List.of("redfish"),
                    "raid", List.of("no-raid", "redfish"),
                    "rescue", List.of("no-rescue", "agent"),
                    "storage", List.of("noop"),
                    "vendor", List.of("no-vendor")),
            redfishProperties());

    private static Map<String, String> redfishProperties() {
        Map<String, String> p = new LinkedHashMap<>(io.anvil.driver.redfish.RedfishDriverInfo.PROPERTIES);
        p.put("deploy_kernel", "Kernel image of the deploy ramdisk (ipxe boot). Optional.");
        p.put("deploy_ramdisk", "Initramfs of the deploy ramdisk (ipxe boot). Optional.");
        p.put("deploy_iso", "Bootable ISO of the agent (redfish-virtual-media boot). Optional.");
        return java.util.Collections.unmodifiableMap(p);
    }

    private static final Map<String, HardwareType> KNOWN =
            Map.of(FAKE.name(), FAKE, IPMI.name(), IPMI, REDFISH.name(), REDFISH);

    private final Map<String, HardwareType> enabled = new LinkedHashMap<>();

    public HardwareTypes(List<String> enabledNames) {
        for (String n : enabledNames) {
            HardwareType t = KNOWN.get(n);
            if (t == null) {
                throw new IllegalArgumentException("unknown hardware type '" + n
                        + "' in conductor.enabled_hardware_types; " + "known: " + KNOWN.keySet());
            }
            enabled.put(n, t);
        }
    }

    public Optional<HardwareType> get(String name) {
        return Optional.ofNullable(enabled.get(name));
    }

    public Collection<HardwareType> all() {
        return enabled.values();
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... kv) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (V) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
