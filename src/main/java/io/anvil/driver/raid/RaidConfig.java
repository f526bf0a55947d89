package io.anvil.driver.raid;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Ironic's RAID configuration rules ({@code ironic/drivers/raid_config_schema.json} and {@code ironic/common/raid.py}):
 * the target configuration a client sets is checked property by property against that schema, with the messages
 * Python's jsonschema gives, plus "at most one root volume"; a configuration applied by a RAID step becomes the node's
 * raid_config and updates its properties as update_raid_info does.
 */
public final class RaidConfig {
    private static final List<String> RAID_LEVELS = List.of("JBOD", "0", "1", "2", "5", "6", "1+0", "5+0", "6+0");

    /** The schema's logical disk properties and their descriptions, in the schema's order. */
    private static final Map<String, String> PROPERTIES = new LinkedHashMap<>();

    static {
        PROPERTIES.put(
                "raid_level",
                "RAID level for the logical disk. Valid values are 'JBOD', '0', '1', '2', '5', '6', '1+0', '5+0' and"
                        + " '6+0'. Required.");
        PROPERTIES.put(
                "size_gb",
                "Size in GiB (Integer) for the logical disk. Use 'MAX' as size_gb if this logical disk is supposed to"
                        + " use the rest of the space available. Required.");
        PROPERTIES.put(
                "volume_name",
                "Name of the volume to be created. If this is not specified, it will be auto-generated. Optional.");
        PROPERTIES.put(
                "is_root_volume", "Specifies whether this disk is a root volume. By default, this is False. Optional.");
        PROPERTIES.put(
                "share_physical_disks",
                "Specifies whether other logical disks can share physical disks with this logical disk. By default,"
                        + " this is False. Optional.");
        PROPERTIES.put(
                "disk_type",
                "The type of disk preferred. Valid values are 'hdd' and 'ssd'. If this is not specified, disk type"
                        + " will not be a selection criterion for choosing backing physical disks. Optional.");
        PROPERTIES.put(
                "interface_type",
                "The interface type of disk. Valid values are 'sata', 'scsi' and 'sas'. If this is not specified,"
                        + " interface type will not be a selection criterion for choosing backing physical disks."
                        + " Optional.");
        PROPERTIES.put(
                "number_of_physical_disks",
                "Number of physical disks to use for this logical disk. By default, the driver uses the minimum number"
                        + " of disks required for that RAID level. Optional.");
        PROPERTIES.put(
                "controller",
                "Controller to use for this logical disk. If not specified, the driver will choose a suitable RAID"
                        + " controller on the bare metal node. Optional.");
        PROPERTIES.put(
                "physical_disks",
                "The physical disks to use for this logical disk. If not specified, the driver will choose suitable"
                        + " physical disks to use. Optional.");
    }

    private RaidConfig() {}

    /** GET /v1/drivers/{d}/raid/logical_disk_properties. */
    public static JsonObject logicalDiskProperties() {
        JsonObject out = new JsonObject();
        PROPERTIES.forEach(out::put);
        return out;
    }

    /**
     * Ironic's raid.validate_configuration.
     *
     * @throws AnvilException 400 "RAID config validation error: ..." or the root volume error
     */
    public static void validate(Object config) {
        String problem = schemaError(config);
        if (problem != null) {
            throw AnvilException.invalid("RAID config validation error: " + problem);
        }
        rootVolume((JsonObject) config);
    }

    /** The configuration's root logical disk, or null; 400 when there are several. */
    static JsonObject rootVolume(JsonObject config) {
        List<JsonObject> roots = new ArrayList<>();
        for (Object d : config.getJsonArray("logical_disks")) {
            if (d instanceof JsonObject disk && Boolean.TRUE.equals(disk.getValue("is_root_volume"))) {
                roots.add(disk);
            }
        }
        if (roots.size() > 1) {
            throw AnvilException.invalid("Raid config cannot have more than one root volume. " + roots.size()
                    + " root volumes were specified");
        }
        return roots.isEmpty() ? null : roots.get(0);
    }

    private static String schemaError(Object config) {
        if (!(config instanceof JsonObject c)) {
            return repr(config) + " is not of type 'object'";
        }
        String extra = additional(c, List.of("logical_disks"));
        if (extra != null) {
            return extra;
        }
        if (!c.containsKey("logical_disks")) {
            return "'logical_disks' is a required property";
        }
        if (!(c.getValue("logical_disks") instanceof JsonArray disks)) {
            return repr(c.getValue("logical_disks")) + " is not of type 'array'";
        }
        if (disks.isEmpty()) {
            return "[] is too short";
        }
        for (Object d : disks) {
            String e = diskError(d);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static String diskError(Object d) {
        if (!(d instanceof JsonObject disk)) {
            return repr(d) + " is not of type 'object'";
        }
        for (String required : List.of("raid_level", "size_gb")) {
            if (!disk.containsKey(required)) {
                return "'" + required + "' is a required property";
            }
        }
        String extra = additional(disk, List.copyOf(PROPERTIES.keySet()));
        if (extra != null) {
            return extra;
        }
        if (disk.containsKey("physical_disks") && !disk.containsKey("controller")) {
            return "'controller' is a dependency of 'physical_disks'";
        }
        for (String key : disk.fieldNames()) {
            String e = propertyError(key, disk.getValue(key));
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static String propertyError(String key, Object v) {
        return switch (key) {
            case "raid_level" ->
                v instanceof String s
                        ? RAID_LEVELS.contains(s) ? null : notOneOf(v, RAID_LEVELS)
                        : typeError(v, "string");
            case "size_gb" ->
                (isInteger(v) && ((Number) v).longValue() >= 0) || "MAX".equals(v)
                        ? null
                        : repr(v) + " is not valid under any of the given schemas";
            case "volume_name", "controller" -> v instanceof String ? null : typeError(v, "string");
            case "is_root_volume", "share_physical_disks" -> v instanceof Boolean ? null : typeError(v, "boolean");
            case "disk_type" -> enumOfStrings(v, List.of("hdd", "ssd"));
            case "interface_type" -> enumOfStrings(v, List.of("sata", "scsi", "sas"));
            case "number_of_physical_disks" ->
                !isInteger(v)
                        ? typeError(v, "integer")
                        : ((Number) v).longValue() <= 0 ? v + " is less than or equal to the minimum of 0" : null;
            case "physical_disks" -> physicalDisksError(v);
            default -> null;
        };
    }

    private static String physicalDisksError(Object v) {
        if (v instanceof JsonArray a) {
            boolean allStrings = a.stream().allMatch(x -> x instanceof String);
            boolean objects = a.size() >= 2 && a.stream().allMatch(x -> x instanceof JsonObject);
            if (allStrings || objects) {
                return null;
            }
        }
        return repr(v) + " is not valid under any of the given schemas";
    }

    private static String enumOfStrings(Object v, List<String> values) {
        if (!(v instanceof String)) {
            return typeError(v, "string");
        }
        return values.contains(v) ? null : notOneOf(v, values);
    }

    private static boolean isInteger(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
    }

    private static String typeError(Object v, String type) {
        return repr(v) + " is not of type '" + type + "'";
    }

    private static String notOneOf(Object v, List<String> values) {
        return repr(v) + " is not one of "
                + values.stream().map(x -> "'" + x + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    private static String additional(JsonObject o, List<String> allowed) {
        List<String> unexpected = new ArrayList<>();
        for (String k : o.fieldNames()) {
            if (!allowed.contains(k)) {
                unexpected.add("'" + k + "'");
            }
        }
        if (unexpected.isEmpty()) {
            return null;
        }
        return "Additional properties are not allowed (" + String.join(", ", unexpected)
                + (unexpected.size() == 1 ? " was" : " were") + " unexpected)";
    }

    /** Python's repr of a JSON value, as jsonschema's messages show it. */
    static String repr(Object value) {
        return io.anvil.util.PythonRepr.of(value);
    }

    /**
     * Ironic's filter_target_raid_config: the node's target, without the root volume or the other volumes when asked.
     *
     * @throws AnvilException 400 when nothing is left to create
     */
    public static JsonObject filterTarget(
            String nodeUuid, JsonObject target, boolean createRootVolume, boolean createNonRootVolumes) {
        if (target == null || target.isEmpty()) {
            throw AnvilException.invalid("Node " + nodeUuid + " has no target RAID configuration.");
        }
        JsonObject out = target.copy();
        List<String> skipped = new ArrayList<>();
        JsonArray disks = out.getJsonArray("logical_disks", new JsonArray());
        if (!createRootVolume) {
            disks = filter(disks, false);
            skipped.add("skipping root volume");
        }
        if (!createNonRootVolumes) {
            disks = filter(disks, true);
            skipped.add("skipping non-root volumes");
        }
        if (disks.isEmpty()) {
            throw AnvilException.invalid("Node " + nodeUuid + " has empty target RAID configuration after "
                    + String.join(" and ", skipped) + ".");
        }
        return out.put("logical_disks", disks);
    }

    private static JsonArray filter(JsonArray disks, boolean keepRoot) {
        JsonArray out = new JsonArray();
        for (Object d : disks) {
            boolean root = d instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("is_root_volume"));
            if (root == keepRoot) {
                out.add(d);
            }
        }
        return out;
    }

    /** As {@link #applied(JsonObject, JsonObject, String)}, last_updated now (Python's str(datetime.utcnow())). */
    public static Map<String, Object> applied(JsonObject node, JsonObject applied) {
        return applied(
                node,
                applied,
                OffsetDateTime.now(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' '));
    }

    /**
     * A boolean argument of a RAID step ({@code create_root_volume}, {@code delete_existing}, …): JSON true/false or
     * Ironic's strings for them; {@code dflt} when absent.
     */
    public static boolean stepFlag(JsonObject args, String key, boolean dflt) {
        Object v = args.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return io.anvil.config.Booleans.fromString(String.valueOf(v))
                .orElseThrow(() -> AnvilException.invalid("'" + key + "' must be a boolean, not " + v + "."));
    }

    /**
     * Ironic's update_raid_info: the columns to save once {@code applied} is on the node — raid_config (with
     * last_updated) and, for a root volume, properties.local_gb, root_device and the raid_level capability.
     */
    public static Map<String, Object> applied(JsonObject node, JsonObject applied, String now) {
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("raid_config", applied.copy().put("last_updated", now));
        JsonObject root = rootVolume(applied);
        if (root != null) {
            JsonObject props =
                    node.getJsonObject("properties", new JsonObject()).copy();
            if (!"MAX".equals(root.getValue("size_gb"))) {
                props.put("local_gb", ((Number) root.getValue("size_gb")).intValue());
            }
            if (root.containsKey("root_device_hint")) {
                props.put("root_device", root.getValue("root_device_hint"));
            }
            props.put(
                    "capabilities",
                    withCapability(props.getValue("capabilities"), "raid_level", root.getString("raid_level")));
            cols.put("properties", props);
        }
        return cols;
    }

    /** Ironic's get_updated_capabilities on a "k1:v1,k2:v2" string. */
    static String withCapability(Object current, String key, String value) {
        Map<String, String> caps = new LinkedHashMap<>();
        if (current instanceof String s && !s.isBlank()) {
            for (String pair : s.split(",")) {
                int colon = pair.indexOf(':');
                if (colon > 0) {
                    caps.put(
                            pair.substring(0, colon).trim(),
                            pair.substring(colon + 1).trim());
                }
            }
        }
        caps.put(key, value);
        return caps.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
