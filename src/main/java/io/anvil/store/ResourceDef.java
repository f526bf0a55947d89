package io.anvil.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the generic store and API need to know about one Ironic resource: its table, its fields with the
 * microversion that introduced each, which fields a plain list shows, and how to read it joined with the UUIDs
 * of what it references.
 */
public final class ResourceDef {
    private final String singular;
    private final String plural;
    private final String table;
    private final Map<String, FieldSpec> fields;
    private final List<String> defaultListFields;
    private final String selectFrom;
    private final boolean named;
    private final Set<String> sortKeys;

    public ResourceDef(
            String singular,
            String plural,
            String table,
            List<FieldSpec> fields,
            List<String> defaultListFields,
            String selectFrom,
            boolean named,
            Set<String> sortKeys) {
        this.singular = singular;
        this.plural = plural;
        this.table = table;
        Map<String, FieldSpec> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.name(), f));
        this.fields = java.util.Collections.unmodifiableMap(m);
        this.defaultListFields = List.copyOf(defaultListFields);
        this.selectFrom = selectFrom;
        this.named = named;
        this.sortKeys = Set.copyOf(sortKeys);
    }

    /** "node", "port", "portgroup", "volume connector", "volume target": used in messages. */
    public String singular() {
        return singular;
    }

    /** The JSON collection key and URL segment: "nodes", "ports", "portgroups", "connectors", "targets". */
    public String plural() {
        return plural;
    }

    public String table() {
        return table;
    }

    public Map<String, FieldSpec> fields() {
        return fields;
    }

    public FieldSpec field(String name) {
        return fields.get(name);
    }

    public List<String> defaultListFields() {
        return defaultListFields;
    }

    /** {@code SELECT ... FROM <table> t [JOIN ...]}: the row as the API reads it, table aliased {@code t}. */
    public String selectFrom() {
        return selectFrom;
    }

    /** Whether the resource can be addressed by name as well as UUID. */
    public boolean named() {
        return named;
    }

    public Set<String> sortKeys() {
        return sortKeys;
    }
}
