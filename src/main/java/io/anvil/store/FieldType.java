package io.anvil.store;

/** How an API field is stored, validated and rendered. */
public enum FieldType {
    STRING,
    UUID,
    BOOL,
    INT,
    OBJECT,
    ARRAY,
    /** jsonb that may hold an object or be null (clean_step, deploy_step). */
    NULLABLE_OBJECT,
    TIMESTAMP,
    /** A UUID of another resource, stored as its numeric id (node_uuid, portgroup_uuid). */
    REFERENCE
}
