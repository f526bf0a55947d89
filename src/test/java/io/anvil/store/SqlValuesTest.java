package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** API JSON values checked against their field type and turned into what the PostgreSQL client binds. */
class SqlValuesTest {

    private static Object sql(FieldType type, Object value) {
        return SqlValues.toSql("node", FieldSpec.writable("f", type, 1), value);
    }

    private static String error(FieldType type, Object value) {
        AnvilException e = assertThrows(AnvilException.class, () -> sql(type, value));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void uuidsInAnyCaseWithOrWithoutDashesBecomeOneUuid() {
        UUID u = UUID.fromString("0b3a7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b");
        assertEquals(u, SqlValues.uuidOrNull("0b3a7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b"));
        assertEquals(u, SqlValues.uuidOrNull("0B3A7A3C1D2E4F508A6B7C8D9E0F1A2B"));
        assertNull(SqlValues.uuidOrNull("node-1"));
        assertNull(SqlValues.uuidOrNull("0b3a7a3c-1d2e-4f50-8a6b-7c8d9e0f1a2"), "one digit short");
        assertNull(SqlValues.uuidOrNull(null));
        assertEquals(u, sql(FieldType.UUID, "0b3a7a3c1d2e4f508a6b7c8d9e0f1a2b"));
        assertEquals(u, sql(FieldType.REFERENCE, u.toString()));
        assertEquals("Expected a UUID for f but received 42.", error(FieldType.UUID, 42));
        assertEquals("Expected a UUID for f but received not-a-uuid.", error(FieldType.UUID, "not-a-uuid"));
    }

    @Test
    void nullIsNullForEveryType() {
        for (FieldType t : FieldType.values()) {
            assertNull(sql(t, null), t.name());
        }
    }

    @Test
    void stringsAreCheckedForTypeAndColumnWidth() {
        assertEquals("abc", sql(FieldType.STRING, "abc"));
        assertEquals("Invalid value for field 'f' of node: expected a string, got 5.", error(FieldType.STRING, 5));
        FieldSpec narrow = FieldSpec.writable("name", FieldType.STRING, 1, 3);
        assertEquals("abc", SqlValues.toSql("node", narrow, "abc"));
        AnvilException tooLong = assertThrows(AnvilException.class, () -> SqlValues.toSql("node", narrow, "abcd"));
        assertEquals("Invalid value for name: it must be at most 3 characters long, got 4.", tooLong.getMessage());
    }

    @Test
    void booleansAreTrueOrFalseInAnyCase() {
        assertEquals(true, sql(FieldType.BOOL, true));
        assertEquals(true, sql(FieldType.BOOL, "TRUE"));
        assertEquals(false, sql(FieldType.BOOL, "False"));
        assertEquals(
                "Invalid value for field 'f' of node: expected a boolean, got 'yes'.", error(FieldType.BOOL, "yes"));
        assertEquals("Invalid value for field 'f' of node: expected a boolean, got 1.", error(FieldType.BOOL, 1));
    }

    @Test
    void integersFitInAnInt() {
        assertEquals(7, sql(FieldType.INT, 7));
        assertEquals(7, sql(FieldType.INT, 7L));
        assertEquals(-12, sql(FieldType.INT, "-12"));
        assertEquals(
                "Invalid value for field 'f' of node: expected an integer, got 4294967296.",
                error(FieldType.INT, 4_294_967_296L));
        assertEquals(
                "Invalid value for field 'f' of node: expected an integer, got '1.5'.", error(FieldType.INT, "1.5"));
        assertEquals(
                "Invalid value for field 'f' of node: expected an integer, got '9999999999'.",
                error(FieldType.INT, "9999999999"));
        assertEquals("Invalid value for field 'f' of node: expected an integer, got 1.5.", error(FieldType.INT, 1.5));
    }

    @Test
    void objectsListsAndTimestamps() {
        JsonObject o = new JsonObject().put("a", 1);
        assertEquals(o, sql(FieldType.OBJECT, o));
        assertEquals(o, sql(FieldType.NULLABLE_OBJECT, Map.of("a", 1)), "a map becomes a JSON object");
        assertEquals(
                "Invalid value for field 'f' of node: expected a JSON object, got 'x'.", error(FieldType.OBJECT, "x"));
        JsonArray a = new JsonArray().add("x");
        assertEquals(a, sql(FieldType.ARRAY, a));
        assertEquals(
                "Invalid value for field 'f' of node: expected a JSON list, got {}.",
                error(FieldType.ARRAY, o.copy().clear()));
        assertEquals(
                OffsetDateTime.of(2026, 12, 5, 10, 0, 0, 0, ZoneOffset.UTC),
                sql(FieldType.TIMESTAMP, "2026-12-05T10:00:00+00:00"));
        assertEquals(
                "Invalid value for field 'f' of node: expected an ISO 8601 timestamp, got 'yesterday'.",
                error(FieldType.TIMESTAMP, "yesterday"));
    }
}
