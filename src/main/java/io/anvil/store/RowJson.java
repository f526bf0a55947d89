package io.anvil.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.UUID;

/** Turns a row into the JSON object the API speaks, in Ironic's formats (ISO timestamps with +00:00). */
public final class RowJson {
    /** Python's datetime.isoformat(), which Ironic emits: microseconds and an explicit +00:00. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    /** Columns that exist for Anvil's own bookkeeping and never leave the store as resource fields. */
    private static final Set<String> HIDDEN = Set.of("node_id", "portgroup_id", "conductor_affinity");

    private RowJson() {}

    public static JsonObject toJson(Row row) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < row.size(); i++) {
            String col = row.getColumnName(i);
            if (HIDDEN.contains(col)) {
                continue;
            }
            o.put(col, value(row.getValue(i)));
        }
        return o;
    }

    public static Object value(Object v) {
        if (v == null || v == Tuple.JSON_NULL) {
            return null;
        }
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof OffsetDateTime t) {
            return formatTime(t);
        }
        if (v instanceof JsonObject || v instanceof JsonArray) {
            return v;
        }
        return v;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.ffffff+00:00}, as {@link #ISO} writes it. Written by hand for years 1–9999 (every
     * node read formats its timestamps, and the formatter's fraction printer goes through BigDecimal); other years
     * through the formatter.
     */
    public static String formatTime(OffsetDateTime t) {
        if (t == null) {
            return null;
        }
        OffsetDateTime u = t.getOffset() == ZoneOffset.UTC ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
        int year = u.getYear();
        if (year < 1 || year > 9999) {
            return ISO.format(u);
        }
        char[] c = new char[32];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, u.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, u.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, u.getHour(), 2);
        c[13] = ':';
        digits(c, 14, u.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, u.getSecond(), 2);
        c[19] = '.';
        digits(c, 20, u.getNano() / 1000, 6);
        c[26] = '+';
        c[27] = '0';
        c[28] = '0';
        c[29] = ':';
        c[30] = '0';
        c[31] = '0';
        return new String(c);
    }

    /** {@code value} as {@code width} decimal digits, zero-padded, at {@code at}. */
    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
