package io.anvil.driver.inspect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the inventory ironic-python-agent posts during inspection into node properties and port changes, as Ironic's
 * inspection hooks do (ironic/drivers/modules/inspector/hooks/: validate_interfaces, ports, architecture, cpus,
 * memory, root_device). Pure: the agent inspect interface applies the {@link Result} under the node's lock and
 * stores {@code inventory} and {@link Result#pluginData()} for {@code GET /v1/nodes/{id}/inventory}.
 */
public final class InventoryProcessing {
    private static final long GIB = 1024L * 1024 * 1024;
    /** IPA's guess_root_disk ignores disks smaller than this. */
    private static final long MIN_ROOT_DISK = 4 * GIB;

    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");

    private InventoryProcessing() {}

    /** A port to create: its MAC, whether its NIC PXE-booted, and Ironic's extra ({@code client-id}). */
    public record NewPort(String address, boolean pxeEnabled, JsonObject extra) {}

    /**
     * What inspection changes.
     *
     * @param properties    node properties to set ({@code cpus}, {@code memory_mb}, {@code local_gb},
     *                      {@code cpu_arch}), merged into the existing ones
     * @param portsToCreate new ports; a MAC already owned by another node is skipped with a log line, as Ironic does
     * @param portsToDelete UUIDs of this node's ports that {@code keep_ports} drops
     * @param pxeEnabled    port UUID to its new {@code pxe_enabled}, only where it changes
     * @param pluginData    what to store beside the inventory: the agent's extra data (minus its logs) plus what
     *                      processing found ({@code root_disk}, {@code local_gb}, {@code macs}, interfaces)
     */
    public record Result(
            JsonObject properties,
            List<NewPort> portsToCreate,
            List<String> portsToDelete,
            Map<String, Boolean> pxeEnabled,
            JsonObject pluginData) {}

    /**
     * @param node          the node as stored (uuid, properties)
     * @param inventory     the agent's {@code inventory}
     * @param pluginData    everything else the agent posted ({@code root_disk}, {@code boot_interface}, logs, ...)
     * @param existingPorts the node's ports (uuid, address, pxe_enabled)
     * @throws InvalidInventory when interfaces, CPU architecture or memory are missing, or no NIC qualifies
     */
    public static Result process(
            JsonObject node,
            JsonObject inventory,
            JsonObject pluginData,
            List<JsonObject> existingPorts,
            InspectionSettings settings) {
        String uuid = node.getString("uuid");
        JsonObject plugin = pluginData == null ? new JsonObject() : pluginData.copy();
        // logs can be huge and are kept apart (Ironic stores them as ramdisk logs, not as inspection data)
        plugin.remove("logs");

        Map<String, JsonObject> all = interfaces(uuid, inventory);
        Map<String, JsonObject> valid = validInterfaces(uuid, inventory, all, settings);
        List<String> validMacs =
                valid.values().stream().map(i -> i.getString("mac_address")).toList();
        plugin.put("all_interfaces", new JsonObject(new LinkedHashMap<>(all)));
        plugin.put("valid_interfaces", new JsonObject(new LinkedHashMap<>(valid)));
        plugin.put("macs", new JsonArray(new ArrayList<>(validMacs)));

        JsonObject props = new JsonObject();
        props.put("cpu_arch", cpuArch(uuid, inventory));
        int cpus = cpuCount(inventory);
        if (cpus > 0) {
            props.put("cpus", cpus);
        }
        props.put("memory_mb", memoryMb(uuid, inventory));
        JsonObject root = rootDisk(uuid, node, inventory, plugin);
        long localGb = 0;
        if (root != null) {
            plugin.put("root_disk", root);
            localGb = root.getLong("size", 0L) / GIB;
            if (localGb > 0 && settings.diskPartitioningSpacing()) {
                localGb -= 1;
            }
        }
        plugin.put("local_gb", localGb);
        props.put("local_gb", localGb);

        Set<String> existingMacs = new LinkedHashSet<>();
        existingPorts.forEach(p -> existingMacs.add(normalize(p.getString("address"))));
        List<NewPort> create = new ArrayList<>();
        if (!settings.addPorts().equals("disabled")) {
            for (JsonObject iface : valid.values()) {
                String mac = iface.getString("mac_address");
                if (existingMacs.contains(mac)) {
                    continue;
                }
                JsonObject extra = new JsonObject();
                if (iface.getValue("client_id") instanceof String cid && !cid.isEmpty()) {
                    extra.put("client-id", cid);
                }
                create.add(new NewPort(mac, iface.getBoolean("pxe_enabled", false), extra));
            }
        }

        Set<String> expected =
                switch (settings.keepPorts()) {
                    case "present" -> macsOf(all.values());
                    case "added" -> new LinkedHashSet<>(validMacs);
                    default -> Set.of();
                };
        Set<String> pxeMacs = new LinkedHashSet<>();
        all.values().stream()
                .filter(i -> i.getBoolean("pxe_enabled", false))
                .forEach(i -> pxeMacs.add(i.getString("mac_address")));
        List<String> delete = new ArrayList<>();
        Map<String, Boolean> pxeChanges = new LinkedHashMap<>();
        for (JsonObject port : existingPorts) {
            String mac = normalize(port.getString("address"));
            if (!expected.isEmpty() && !expected.contains(mac)) {
                delete.add(port.getString("uuid"));
                continue;
            }
            if (settings.updatePxeEnabled()) {
                boolean want = pxeMacs.contains(mac);
                if (want != Boolean.TRUE.equals(port.getBoolean("pxe_enabled"))) {
                    pxeChanges.put(port.getString("uuid"), want);
                }
            }
        }
        return new Result(props, List.copyOf(create), List.copyOf(delete), pxeChanges, plugin);
    }

    /** The MAC the node PXE-booted from ({@code boot.pxe_interface}, also in pxelinux's 01-aa-bb-... form), or null. */
    static String pxeMac(JsonObject inventory) {
        JsonObject boot = inventory.getValue("boot") instanceof JsonObject b ? b : new JsonObject();
        if (!(boot.getValue("pxe_interface") instanceof String raw) || raw.isBlank()) {
            return null;
        }
        String mac = raw.trim();
        if (mac.length() == 20 && mac.startsWith("01-")) {
            mac = mac.substring(3);
        }
        return normalize(mac);
    }

    /** Named NICs with a valid MAC, each marked with whether it is the PXE NIC (Ironic's get_interfaces). */
    static Map<String, JsonObject> interfaces(String uuid, JsonObject inventory) {
        if (!(inventory.getValue("interfaces") instanceof JsonArray list)) {
            throw new InvalidInventory(uuid, "no interfaces present in inventory");
        }
        String pxe = pxeMac(inventory);
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (Object o : list) {
            if (!(o instanceof JsonObject iface)) {
                continue;
            }
            String name = iface.getString("name");
            Object rawMac = iface.getValue("mac_address");
            if (name == null || name.isEmpty() || !(rawMac instanceof String m)) {
                continue;
            }
            String mac = normalize(m);
            if (!MAC.matcher(mac).matches()) {
                continue;
            }
            JsonObject copy = iface.copy().put("mac_address", mac).put("pxe_enabled", mac.equals(pxe));
            if (copy.getValue("ipv6_address") instanceof String v6 && v6.contains("%")) {
                copy.put("ipv6_address", v6.substring(0, v6.indexOf('%')));
            }
            out.put(name, copy);
        }
        return out;
    }

    /** The NICs {@code add_ports} selects (Ironic's validate_interfaces). */
    static Map<String, JsonObject> validInterfaces(
            String uuid, JsonObject inventory, Map<String, JsonObject> all, InspectionSettings settings) {
        if (all.isEmpty()) {
            throw new InvalidInventory(uuid, "no valid network interfaces");
        }
        String pxe = pxeMac(inventory);
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonObject> e : all.entrySet()) {
            JsonObject iface = e.getValue();
            String ip = ip(iface);
            if (e.getKey().equals("lo") || (ip != null && isLoopback(ip))) {
                continue;
            }
            if (settings.addPorts().equals("pxe") && pxe != null && !iface.getBoolean("pxe_enabled", false)) {
                continue;
            }
            if (settings.addPorts().equals("active") && ip == null) {
                continue;
            }
            out.put(e.getKey(), iface);
        }
        if (out.isEmpty()) {
            throw new InvalidInventory(
                    uuid,
                    "no network interfaces match the configuration (add_ports set to \"" + settings.addPorts() + "\")");
        }
        return out;
    }

    private static String cpuArch(String uuid, JsonObject inventory) {
        Object cpu = inventory.getValue("cpu");
        if (cpu instanceof JsonObject c && c.getValue("architecture") instanceof String arch && !arch.isEmpty()) {
            return arch;
        }
        throw new InvalidInventory(
                uuid,
                "Inventory has malformed or missing CPU architecture information: " + describe(cpu) + " for node "
                        + uuid + ".");
    }

    private static int cpuCount(JsonObject inventory) {
        if (inventory.getValue("cpu") instanceof JsonObject c && c.getValue("count") instanceof Number n) {
            return n.intValue();
        }
        return 0;
    }

    private static long memoryMb(String uuid, JsonObject inventory) {
        Object memory = inventory.getValue("memory");
        if (memory instanceof JsonObject m && m.getValue("physical_mb") instanceof Number n) {
            return n.longValue();
        }
        throw new InvalidInventory(
                uuid, "Inventory has missing memory information: " + describe(memory) + " for node " + uuid + ".");
    }

    /**
     * The disk the OS will go to: the one matching the node's {@code root_device} hints, else the one the agent
     * chose ({@code root_disk}, IPA's guess), else IPA's rule applied here (the smallest disk of at least 4 GiB, by
     * size then name). Null for a diskless node.
     */
    static JsonObject rootDisk(String uuid, JsonObject node, JsonObject inventory, JsonObject plugin) {
        List<JsonObject> disks = new ArrayList<>();
        if (inventory.getValue("disks") instanceof JsonArray a) {
            a.forEach(o -> {
                if (o instanceof JsonObject d && d.getValue("size") instanceof Number) {
                    disks.add(d);
                }
            });
        }
        JsonObject props = node.getJsonObject("properties", new JsonObject());
        if (props.getValue("root_device") instanceof JsonObject hints && !hints.isEmpty()) {
            return disks.stream()
                    .filter(d -> matches(uuid, d, hints))
                    .findFirst()
                    .orElseThrow(
                            () -> new InvalidInventory(uuid, "No disks satisfied root device hints " + hints.encode()));
        }
        if (plugin.getValue("root_disk") instanceof JsonObject chosen && chosen.getValue("size") instanceof Number) {
            return chosen;
        }
        return disks.stream()
                .sorted(Comparator.comparingLong((JsonObject d) -> d.getLong("size"))
                        .thenComparing(d -> String.valueOf(d.getValue("name"))))
                .filter(d -> d.getLong("size") >= MIN_ROOT_DISK)
                .findFirst()
                .orElse(null);
    }

    /**
     * Exact-match root device hints ({@code name}, {@code serial}, {@code wwn}, {@code model}, {@code vendor},
     * {@code size} in GiB, {@code rotational}). Ironic's operator syntax ({@code >= 100}, {@code <in>}) is not
     * supported yet and is refused rather than misread.
     */
    private static boolean matches(String uuid, JsonObject disk, JsonObject hints) {
        for (String k : hints.fieldNames()) {
            Object want = hints.getValue(k);
            switch (k) {
                case "size" -> {
                    long gib = disk.getLong("size") / GIB;
                    if (!(want instanceof Number n) || n.longValue() != gib) {
                        if (!(want instanceof Number)) {
                            throw new InvalidInventory(
                                    uuid, "root device hint size must be an integer (GiB), got " + want);
                        }
                        return false;
                    }
                }
                case "rotational" -> {
                    if (!(want instanceof Boolean b) || !b.equals(disk.getValue("rotational"))) {
                        return false;
                    }
                }
                case "name",
                        "serial",
                        "wwn",
                        "model",
                        "vendor",
                        "wwn_with_extension",
                        "wwn_vendor_extension",
                        "hctl",
                        "by_path" -> {
                    String w = String.valueOf(want);
                    if (w.startsWith("s==") || w.startsWith("<")) {
                        throw new InvalidInventory(
                                uuid, "root device hint operators are not supported yet: " + k + "=" + w);
                    }
                    String have = String.valueOf(disk.getValue(k));
                    if (k.equals("name") && !w.startsWith("/dev/")) {
                        w = "/dev/" + w;
                    }
                    if (!w.equalsIgnoreCase(have)) {
                        return false;
                    }
                }
                default -> throw new InvalidInventory(uuid, "unsupported root device hint '" + k + "'");
            }
        }
        return true;
    }

    private static Set<String> macsOf(java.util.Collection<JsonObject> ifaces) {
        Set<String> out = new LinkedHashSet<>();
        ifaces.forEach(i -> out.add(i.getString("mac_address")));
        return out;
    }

    private static String ip(JsonObject iface) {
        for (String k : List.of("ipv4_address", "ipv6_address")) {
            if (iface.getValue(k) instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return null;
    }

    private static boolean isLoopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1");
    }

    /** Ironic's normalize_mac: lower case, colons. */
    static String normalize(String mac) {
        return mac == null ? "" : mac.trim().toLowerCase(Locale.ROOT).replace('-', ':');
    }

    private static String describe(Object o) {
        return o instanceof JsonObject j ? j.encode() : String.valueOf(o);
    }
}
