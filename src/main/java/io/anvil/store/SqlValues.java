package io.anvil.store;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.regex.Pattern;

/** Validates an API JSON value against its field type and converts it to what the PostgreSQL client binds. */
public final class SqlValues {
    private static final Pattern UUID_RE =
            Pattern.compile("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");

    private SqlValues() {}

    public static UUID uuidOrNull(String s) {
        if (s == null || !UUID_RE.matcher(s).matches()) {
            return null;
        }
        String h = s.replace("-", "");
        return UUID.fromString(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                + h.substring(16, 20) + "-" + h.substring(20));
    }

    /** The SQL value of {@code value} for {@code field}, or a 400 naming the field and what was expected. */
    public static Object toSql(String resource, FieldSpec field, Object value) {
        if (value == null) {
            return null;
        }
        String name = field.name();
        switch (field.type()) {
            case STRING -> {
                if (!(value instanceof String s)) {
                    throw invalid(resource, name, value, "a string");
                }
                if (field.maxLength() > 0 && s.length() > field.maxLength()) {
                    throw AnvilException.invalid("Invalid value for " + name + ": it must be at most "
                            + field.maxLength() + " characters long, got " + s.length() + ".");
                }
                return s;
            }
            case UUID, REFERENCE -> {
                UUID u = value instanceof String s ? uuidOrNull(s) : null;
                if (u == null) {
                    throw AnvilException.invalid("Expected a UUID for " + name + " but received " + value + ".");
                }
                return u;
            }
            case BOOL -> {
                if (value instanceof Boolean b) {
                    return b;
                }
                if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.parseBoolean(s);
                }
                throw invalid(resource, name, value, "a boolean");
            }
            case INT -> {
                if (value instanceof Integer || (value instanceof Long l && l == l.intValue())) {
                    return ((Number) value).intValue();
                }
                if (value instanceof String s && s.matches("-?\\d{1,9}")) {
                    return Integer.parseInt(s);
                }
                throw invalid(resource, name, value, "an integer");
            }
            case OBJECT, NULLABLE_OBJECT -> {
                if (value instanceof JsonObject o) {
                    return o;
                }
                if (value instanceof java.util.Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    JsonObject o = new JsonObject((java.util.Map<String, Object>) m);
                    return o;
                }
                throw invalid(resource, name, value, "a JSON object");
            }
            case ARRAY -> {
                if (value instanceof JsonArray a) {
                    return a;
                }
                throw invalid(resource, name, value, "a JSON list");
            }
            case TIMESTAMP -> {
                try {
                    return OffsetDateTime.parse(value.toString());
                } catch (RuntimeException e) {
                    throw invalid(resource, name, value, "an ISO 8601 timestamp");
                }
            }
            default -> throw new IllegalStateException("unhandled type " + field.type());
        }
    }

    private static AnvilException invalid(String resource, String field, Object value, String expected) {
        return AnvilException.invalid("Invalid value for field '" + field + "' of " + resource + ": expected "
                + expected + ", got " + (value instanceof String ? "'" + value + "'" : String.valueOf(value)) + ".");
    }
}
