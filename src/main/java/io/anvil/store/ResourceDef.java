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
    private final String returning;

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
        java.util.regex.Matcher alone = java.util.regex.Pattern.compile(
                        "SELECT (.+) FROM " + java.util.regex.Pattern.quote(table) + " t")
                .matcher(selectFrom);
        this.returning = alone.matches() ? alone.group(1) : null;
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

    /**
     * The select list of {@link #selectFrom} when it reads the table alone (no join), so that a write aliased {@code t}
     * can return the row as read with {@code RETURNING} instead of reading it again; null otherwise.
     */
    public String returning() {
        return returning;
    }

    /** Whether the resource can be addressed by name as well as UUID. */
    public boolean named() {
        return named;
    }

    public Set<String> sortKeys() {
        return sortKeys;
    }
}
