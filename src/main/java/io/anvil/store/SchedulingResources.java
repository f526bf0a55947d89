package io.anvil.store;

import static io.anvil.store.FieldSpec.createOnly;
import static io.anvil.store.FieldSpec.readOnly;
import static io.anvil.store.FieldSpec.writable;
import static io.anvil.store.FieldType.ARRAY;
import static io.anvil.store.FieldType.OBJECT;
import static io.anvil.store.FieldType.REFERENCE;
import static io.anvil.store.FieldType.STRING;
import static io.anvil.store.FieldType.TIMESTAMP;
import static io.anvil.store.FieldType.UUID;

import java.util.List;
import java.util.Set;

/**
 * The resources that choose and shape a deployment: allocations (Ironic's API 1.52, owner from 1.60) and deploy
 * templates (1.55). Kept apart from {@link Resources} because they do not belong to a node.
 */
public final class SchedulingResources {
    private SchedulingResources() {}

    /** Ironic's allocation; the order of fields is the order of its API view. */
    public static final ResourceDef ALLOCATION = new ResourceDef(
            "allocation",
            "allocations",
            "allocations",
            List.of(
                    createOnly("candidate_nodes", ARRAY, 52),
                    writable("extra", OBJECT, 52),
                    readOnly("last_error", STRING, 52),
                    writable("name", STRING, 52, 255),
                    createOnly("owner", STRING, 60),
                    createOnly("resource_class", STRING, 52),
                    readOnly("state", STRING, 52),
                    createOnly("traits", ARRAY, 52),
                    createOnly("uuid", UUID, 52),
                    readOnly("created_at", TIMESTAMP, 52),
                    readOnly("updated_at", TIMESTAMP, 52),
                    readOnly("node_uuid", REFERENCE, 52)),
            List.of(),
            "SELECT t.*, n.uuid AS node_uuid FROM allocations t LEFT JOIN nodes n ON n.id = t.node_id",
            true,
            Set.of("id", "uuid", "name", "state", "resource_class", "owner", "created_at", "updated_at"));

    /** Ironic's deploy template: a plain list shows uuid and name. */
    public static final ResourceDef DEPLOY_TEMPLATE = new ResourceDef(
            "deploy template",
            "deploy_templates",
            "deploy_templates",
            List.of(
                    writable("extra", OBJECT, 55),
                    writable("name", STRING, 55, 255),
                    writable("steps", ARRAY, 55),
                    createOnly("uuid", UUID, 55),
                    readOnly("created_at", TIMESTAMP, 55),
                    readOnly("updated_at", TIMESTAMP, 55)),
            List.of("uuid", "name"),
            "SELECT t.* FROM deploy_templates t",
            true,
            Set.of("id", "uuid", "name", "created_at", "updated_at"));
}
