package io.anvil.store;

import java.util.List;

/**
 * What a guarded write requires of the row as it is when the write runs, ANDed to {@code WHERE id = ...}: a SQL
 * condition on the table aliased {@code t} with one {@code ?} per value, numbered when the statement is built.
 */
public record RowGuard(String condition, List<Object> values) {
    public RowGuard {
        long marks = condition.chars().filter(c -> c == '?').count();
        if (marks != values.size()) {
            throw new IllegalArgumentException(
                    "guard \"" + condition + "\" has " + marks + " placeholders for " + values.size() + " values");
        }
    }

    public static RowGuard of(String condition, Object... values) {
        return new RowGuard(condition, List.of(values));
    }

    /** The condition with its placeholders numbered after {@code params}, to which the values are appended. */
    String render(List<Object> params) {
        StringBuilder sql = new StringBuilder(condition.length() + 8);
        int next = 0;
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            if (c == '?') {
                params.add(values.get(next++));
                sql.append('$').append(params.size());
            } else {
                sql.append(c);
            }
        }
        return sql.toString();
    }
}
