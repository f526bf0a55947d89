package io.anvil.store;

/**
 * One API field of a resource.
 *
 * @param name       the API (and, except for references, column) name
 * @param type       storage and validation type
 * @param minVersion first microversion (1.N) that shows and accepts it
 * @param creatable  may be given on POST
 * @param patchable  may be changed with PATCH
 * @param maxLength  for strings, the column width (0 = unbounded)
 */
public record FieldSpec(
        String name, FieldType type, int minVersion, boolean creatable, boolean patchable, int maxLength) {

    public static FieldSpec readOnly(String name, FieldType type, int minVersion) {
        return new FieldSpec(name, type, minVersion, false, false, 0);
    }

    public static FieldSpec writable(String name, FieldType type, int minVersion) {
        return new FieldSpec(name, type, minVersion, true, true, 0);
    }

    public static FieldSpec writable(String name, FieldType type, int minVersion, int maxLength) {
        return new FieldSpec(name, type, minVersion, true, true, maxLength);
    }

    /** Settable on create only (uuid). */
    public static FieldSpec createOnly(String name, FieldType type, int minVersion) {
        return new FieldSpec(name, type, minVersion, true, false, 0);
    }
}
