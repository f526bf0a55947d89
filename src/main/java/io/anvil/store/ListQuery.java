package io.anvil.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A filtered, sorted, paginated read of one resource. Conditions are SQL fragments over alias {@code t} whose
 * parameters are added through {@link #param(Object)}, which returns the placeholder to embed.
 */
public final class ListQuery {
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();
    private String sortKey = "id";
    private boolean descending;
    private int limit = 1000;
    private JsonMarker marker;
    private List<String> columns;

    /** The marker row's sort value and id, to continue strictly after it. */
    public record JsonMarker(Object sortValue, long id) {}

    public String param(Object value) {
        params.add(value);
        return "$" + params.size();
    }

    public ListQuery where(String condition) {
        conditions.add(condition);
        return this;
    }

    public ListQuery sort(String key, boolean desc) {
        this.sortKey = key;
        this.descending = desc;
        return this;
    }

    public ListQuery limit(int limit) {
        this.limit = limit;
        return this;
    }

    public ListQuery after(JsonMarker marker) {
        this.marker = marker;
        return this;
    }

    /**
     * Reads only these columns of {@code t} (plus id and uuid) instead of {@code t.*}: a plain list of 1000 nodes
     * then decodes 6 columns per row, not 70. Names must be validated column names.
     */
    public ListQuery columns(List<String> names) {
        this.columns = names;
        return this;
    }

    public String sortKey() {
        return sortKey;
    }

    /** The statement and its parameters; does not change this query, so it can be re-run after another marker. */
    record Built(String sql, List<Object> params) {}

    Built build(String selectFrom) {
        List<Object> all = new ArrayList<>(params);
        java.util.function.Function<Object, String> param = v -> {
            all.add(v);
            return "$" + all.size();
        };
        List<String> where = new ArrayList<>(conditions);
        String dir = descending ? "DESC" : "ASC";
        String cmp = descending ? "<" : ">";
        if (marker != null) {
            if (sortKey.equals("id")) {
                where.add("t.id " + cmp + " " + param.apply(marker.id()));
            } else if (marker.sortValue() == null) {
                // NULLs sort last ascending (first descending): after a NULL marker only NULLs with a larger id remain
                where.add(
                        descending
                                ? "(t." + sortKey + " IS NOT NULL OR t.id < " + param.apply(marker.id()) + ")"
                                : "(t." + sortKey + " IS NULL AND t.id > " + param.apply(marker.id()) + ")");
            } else {
                String v = param.apply(marker.sortValue());
                String id = param.apply(marker.id());
                // NULLs were already served before a non-NULL marker descending, and are still to come ascending
                where.add(
                        descending
                                ? "(t." + sortKey + " < " + v + " OR (t." + sortKey + " = " + v + " AND t.id < " + id
                                        + "))"
                                : "(t." + sortKey + " > " + v + " OR (t." + sortKey + " = " + v + " AND t.id > " + id
                                        + ") OR t." + sortKey + " IS NULL)");
            }
        }
        String select = selectFrom;
        if (columns != null) {
            StringBuilder cols = new StringBuilder("t.id, t.uuid");
            for (String c : columns) {
                if (!c.equals("id") && !c.equals("uuid")) {
                    cols.append(", t.").append(c);
                }
            }
            select = selectFrom.replaceFirst("t\\.\\*", cols.toString());
        }
        StringBuilder sql = new StringBuilder(select);
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        sql.append(" ORDER BY t.").append(sortKey).append(' ').append(dir);
        if (!sortKey.equals("id")) {
            sql.append(", t.id ").append(dir);
        }
        sql.append(" LIMIT ").append(limit);
        return new Built(sql.toString(), all);
    }

    public int limit() {
        return limit;
    }
}
