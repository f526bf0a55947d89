package io.anvil.store;

import static io.anvil.store.FieldSpec.createOnly;
import static io.anvil.store.FieldSpec.readOnly;
import static io.anvil.store.FieldSpec.writable;
import static io.anvil.store.FieldType.ARRAY;
import static io.anvil.store.FieldType.BOOL;
import static io.anvil.store.FieldType.INT;
import static io.anvil.store.FieldType.NULLABLE_OBJECT;
import static io.anvil.store.FieldType.OBJECT;
import static io.anvil.store.FieldType.REFERENCE;
import static io.anvil.store.FieldType.STRING;
import static io.anvil.store.FieldType.TIMESTAMP;
import static io.anvil.store.FieldType.UUID;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The resources of Ironic's v1 API that Anvil stores, with the microversion each field appeared in. */
public final class Resources {
    private Resources() {}

    /** Hardware interfaces a node names, with the microversion each became visible (Ironic's API history). */
    public static final List<String> INTERFACES = List.of(
            "bios",
            "boot",
            "console",
            "deploy",
            "inspect",
            "management",
            "network",
            "power",
            "raid",
            "rescue",
            "storage",
            "vendor");

    private static int interfaceVersion(String iface) {
        return switch (iface) {
            case "network" -> 20;
            case "storage" -> 33;
            case "rescue" -> 38;
            case "bios" -> 40;
            default -> 31;
        };
    }

    public static final ResourceDef NODE;

    static {
        List<FieldSpec> f = new ArrayList<>(List.of(
                createOnly("uuid", UUID, 1),
                writable("name", STRING, 5, 255),
                writable("driver", STRING, 1, 255),
                writable("driver_info", OBJECT, 1),
                readOnly("driver_internal_info", OBJECT, 3),
                writable("properties", OBJECT, 1),
                writable("extra", OBJECT, 1),
                writable("instance_info", OBJECT, 1),
                writable("instance_uuid", UUID, 1),
                writable("chassis_uuid", UUID, 1),
                readOnly("provision_state", STRING, 1),
                readOnly("target_provision_state", STRING, 1),
                readOnly("provision_updated_at", TIMESTAMP, 1),
                readOnly("power_state", STRING, 1),
                readOnly("target_power_state", STRING, 1),
                readOnly("console_enabled", BOOL, 1),
                new FieldSpec("maintenance", BOOL, 1, false, true, 0),
                new FieldSpec("maintenance_reason", STRING, 1, false, true, 0),
                readOnly("fault", STRING, 42),
                readOnly("last_error", STRING, 1),
                readOnly("reservation", STRING, 1),
                writable("conductor_group", STRING, 46, 255),
                writable("resource_class", STRING, 21, 80),
                writable("owner", STRING, 50, 255),
                writable("lessee", STRING, 65, 255),
                new FieldSpec("protected", BOOL, 48, false, true, 0),
                new FieldSpec("protected_reason", STRING, 48, false, true, 0),
                new FieldSpec("retired", BOOL, 61, false, true, 0),
                new FieldSpec("retired_reason", STRING, 61, false, true, 0),
                writable("description", STRING, 51, 4096),
                writable("automated_clean", BOOL, 47),
                readOnly("clean_step", NULLABLE_OBJECT, 7),
                readOnly("deploy_step", NULLABLE_OBJECT, 44),
                readOnly("service_step", NULLABLE_OBJECT, 87),
                readOnly("raid_config", OBJECT, 12),
                readOnly("target_raid_config", OBJECT, 12),
                readOnly("traits", ARRAY, 37),
                writable("network_data", OBJECT, 66),
                readOnly("boot_mode", STRING, 75),
                readOnly("secure_boot", BOOL, 75),
                readOnly("allocation_uuid", UUID, 52),
                readOnly("inspection_started_at", TIMESTAMP, 6),
                readOnly("inspection_finished_at", TIMESTAMP, 6),
                readOnly("created_at", TIMESTAMP, 1),
                readOnly("updated_at", TIMESTAMP, 1)));
        for (String iface : INTERFACES) {
            f.add(writable(iface + "_interface", STRING, interfaceVersion(iface), 255));
        }
        NODE = new ResourceDef(
                "node",
                "nodes",
                "nodes",
                f,
                List.of("instance_uuid", "maintenance", "name", "power_state", "provision_state", "uuid"),
                "SELECT t.*, t.xmin::text::bigint AS row_version FROM nodes t",
                true,
                Set.of(
                        "id",
                        "uuid",
                        "name",
                        "driver",
                        "provision_state",
                        "power_state",
                        "maintenance",
                        "created_at",
                        "updated_at",
                        "provision_updated_at",
                        "resource_class",
                        "conductor_group",
                        "owner",
                        "lessee",
                        "instance_uuid",
                        "target_provision_state",
                        "target_power_state",
                        "last_error",
                        "reservation",
                        "fault",
                        "description",
                        "console_enabled",
                        "inspection_started_at",
                        "inspection_finished_at"));
    }

    /** Ironic's chassis: a description and extra for a group of nodes (nodes.chassis_uuid refers to it). */
    public static final ResourceDef CHASSIS = new ResourceDef(
            "chassis",
            "chassis",
            "chassis",
            List.of(
                    createOnly("uuid", UUID, 1),
                    writable("description", STRING, 1, 255),
                    writable("extra", OBJECT, 1),
                    readOnly("created_at", TIMESTAMP, 1),
                    readOnly("updated_at", TIMESTAMP, 1)),
            List.of("uuid", "description"),
            "SELECT t.* FROM chassis t",
            false,
            Set.of("id", "uuid", "description", "created_at", "updated_at"));

    public static final ResourceDef PORTGROUP = new ResourceDef(
            "portgroup",
            "portgroups",
            "portgroups",
            List.of(
                    createOnly("uuid", UUID, 23),
                    writable("name", STRING, 23, 255),
                    writable("address", STRING, 23, 18),
                    writable("node_uuid", REFERENCE, 23),
                    writable("mode", STRING, 26, 255),
                    writable("properties", OBJECT, 26),
                    writable("standalone_ports_supported", BOOL, 23),
                    writable("extra", OBJECT, 23),
                    readOnly("internal_info", OBJECT, 23),
                    readOnly("created_at", TIMESTAMP, 23),
                    readOnly("updated_at", TIMESTAMP, 23)),
            List.of("uuid", "address", "name"),
            "SELECT t.*, n.uuid AS node_uuid FROM portgroups t JOIN nodes n ON n.id = t.node_id",
            true,
            Set.of("id", "uuid", "name", "address", "mode", "created_at", "updated_at"));

    public static final ResourceDef PORT = new ResourceDef(
            "port",
            "ports",
            "ports",
            List.of(
                    createOnly("uuid", UUID, 1),
                    writable("address", STRING, 1, 18),
                    writable("node_uuid", REFERENCE, 1),
                    writable("portgroup_uuid", REFERENCE, 24),
                    writable("local_link_connection", OBJECT, 19),
                    writable("pxe_enabled", BOOL, 19),
                    writable("physical_network", STRING, 34, 64),
                    writable("is_smartnic", BOOL, 53),
                    writable("extra", OBJECT, 1),
                    readOnly("internal_info", OBJECT, 18),
                    readOnly("created_at", TIMESTAMP, 1),
                    readOnly("updated_at", TIMESTAMP, 1)),
            List.of("uuid", "address"),
            "SELECT t.*, n.uuid AS node_uuid, g.uuid AS portgroup_uuid FROM ports t JOIN nodes n ON n.id = t.node_id"
                    + " LEFT JOIN portgroups g ON g.id = t.portgroup_id",
            false,
            Set.of("id", "uuid", "address", "pxe_enabled", "physical_network", "created_at", "updated_at"));

    public static final ResourceDef VOLUME_CONNECTOR = new ResourceDef(
            "volume connector",
            "connectors",
            "volume_connectors",
            List.of(
                    createOnly("uuid", UUID, 32),
                    writable("node_uuid", REFERENCE, 32),
                    writable("type", STRING, 32, 32),
                    writable("connector_id", STRING, 32, 255),
                    writable("extra", OBJECT, 32),
                    readOnly("created_at", TIMESTAMP, 32),
                    readOnly("updated_at", TIMESTAMP, 32)),
            List.of("uuid", "node_uuid", "type", "connector_id"),
            "SELECT t.*, n.uuid AS node_uuid FROM volume_connectors t JOIN nodes n ON n.id = t.node_id",
            false,
            Set.of("id", "uuid", "type", "connector_id", "created_at", "updated_at"));

    public static final ResourceDef VOLUME_TARGET = new ResourceDef(
            "volume target",
            "targets",
            "volume_targets",
            List.of(
                    createOnly("uuid", UUID, 32),
                    writable("node_uuid", REFERENCE, 32),
                    writable("volume_type", STRING, 32, 64),
                    writable("properties", OBJECT, 32),
                    writable("boot_index", INT, 32),
                    writable("volume_id", STRING, 32, 255),
                    writable("extra", OBJECT, 32),
                    readOnly("created_at", TIMESTAMP, 32),
                    readOnly("updated_at", TIMESTAMP, 32)),
            List.of("uuid", "node_uuid", "volume_type", "boot_index", "volume_id"),
            "SELECT t.*, n.uuid AS node_uuid FROM volume_targets t JOIN nodes n ON n.id = t.node_id",
            false,
            Set.of("id", "uuid", "volume_type", "boot_index", "volume_id", "created_at", "updated_at"));
}
