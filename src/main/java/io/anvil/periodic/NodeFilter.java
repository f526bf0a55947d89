package io.anvil.periodic;

import io.anvil.fsm.ProvisionState;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which nodes a periodic task looks at, filtered in SQL (Ironic's {@code iter_nodes(filters=...)}). Ownership by
 * this conductor is applied afterwards by the {@link NodeWalker}. Conditions are ANDed; {@code ?} placeholders in
 * {@link #where} are numbered for PostgreSQL. Column names are checked, never interpolated from input.
 */
public final class NodeFilter {
    private static final Pattern IDENT = Pattern.compile("^[a-z_][a-z0-9_]*$");
    private static final Set<String> INTERFACES = Set.of(
            "bios",
            "boot",
            "console",
            "deploy",
            "inspect",
            "management",
            "network",
            "power",
            "raid",
            "rescue",
            "storage",
            "vendor");

    private final List<String> clauses = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();
    private final Set<String> columns = new LinkedHashSet<>(List.of("id", "uuid", "driver", "conductor_group"));
    private String orderBy = "id ASC";

    private NodeFilter() {}

    /** Every node. */
    public static NodeFilter all() {
        return new NodeFilter();
    }

    /** A raw condition with {@code ?} placeholders, e.g. {@code where("extra->>'rack' = ?", "r9")}. */
    public NodeFilter where(String condition, Object... values) {
        StringBuilder sb = new StringBuilder();
        int v = 0;
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            if (c == '?') {
                if (v >= values.length) {
                    throw new IllegalArgumentException("more placeholders than values in: " + condition);
                }
                params.add(values[v++]);
                sb.append('$').append(params.size());
            } else {
                sb.append(c);
            }
        }
        if (v != values.length) {
            throw new IllegalArgumentException("more values than placeholders in: " + condition);
        }
        clauses.add("(" + sb + ")");
        return this;
    }

    public NodeFilter provisionStateIn(Collection<ProvisionState> states) {
        return where("provision_state = ANY(?)", (Object) values(states));
    }

    public NodeFilter provisionState(ProvisionState state) {
        return where("provision_state = ?", state.value());
    }

    public NodeFilter provisionStateNotIn(Collection<ProvisionState> states) {
        return where("NOT (provision_state = ANY(?))", (Object) values(states));
    }

    private static String[] values(Collection<ProvisionState> states) {
        return states.stream().map(ProvisionState::value).toArray(String[]::new);
    }

    public NodeFilter maintenance(boolean on) {
        return where("maintenance = ?", on);
    }

    /** Ironic's {@code reserved: False}: no conductor holds the node exclusively. */
    public NodeFilter unreserved() {
        return where("reservation IS NULL");
    }

    public NodeFilter fault(String fault) {
        return where("fault = ?", fault);
    }

    public NodeFilter noTargetPowerState() {
        return where("target_power_state IS NULL");
    }

    /**
     * {@code column} is older than {@code age} by the database clock (Ironic's {@code provisioned_before} /
     * {@code inspection_started_before}); a NULL column never matches.
     */
    public NodeFilter olderThan(String column, Duration age) {
        return where(ident(column) + " < now() - (?::bigint * interval '1 microsecond')", age.toNanos() / 1000);
    }

    /** Nodes whose {@code <iface>_interface} is {@code impl}, e.g. {@code usingInterface("power", "ipmitool")}. */
    public NodeFilter usingInterface(String iface, String impl) {
        if (!INTERFACES.contains(iface)) {
            throw new IllegalArgumentException("unknown hardware interface " + iface);
        }
        return where(iface + "_interface = ?", impl);
    }

    /** Extra columns to read into {@link NodeRef#row()} (for predicates and re-checks). */
    public NodeFilter columns(String... names) {
        for (String n : names) {
            columns.add(ident(n));
        }
        return this;
    }

    public NodeFilter orderBy(String column, boolean ascending) {
        columns.add(ident(column));
        orderBy = ident(column) + (ascending ? " ASC NULLS FIRST" : " DESC NULLS LAST") + ", id ASC";
        return this;
    }

    /** The SELECT over nodes this filter stands for (for the walker). */
    public String sql() {
        return "SELECT " + String.join(", ", columns) + " FROM nodes"
                + (clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses))
                + " ORDER BY " + orderBy;
    }

    /** The values of the {@link #sql()} placeholders. */
    public Tuple params() {
        return Tuple.from(params);
    }

    /**
     * True when the rows come in id order, so that {@link #pageSql} can list them a page at a time (keyset paging);
     * a walker lists other orders in one query.
     */
    public boolean pageable() {
        return orderBy.equals("id ASC");
    }

    /**
     * One page of {@link #sql()}: the next {@code limit} rows with an id above {@code $(params + 1)} (see
     * {@link #pageParams}). Listing page by page bounds what one query's answer costs the event loop.
     */
    public String pageSql(int limit) {
        if (!pageable()) {
            throw new IllegalStateException("only a filter in id order can be paged: " + orderBy);
        }
        List<String> all = new ArrayList<>(clauses);
        all.add("(id > $" + (params.size() + 1) + ")");
        return "SELECT " + String.join(", ", columns) + " FROM nodes WHERE " + String.join(" AND ", all)
                + " ORDER BY id ASC LIMIT " + limit;
    }

    /** The values of {@link #pageSql}'s placeholders for the page after {@code afterId}. */
    public Tuple pageParams(long afterId) {
        List<Object> all = new ArrayList<>(params);
        all.add(afterId);
        return Tuple.from(all);
    }

    private static String ident(String column) {
        if (!IDENT.matcher(column).matches()) {
            throw new IllegalArgumentException("not a column name: " + column);
        }
        return column;
    }

    @Override
    public String toString() {
        return sql() + " " + params;
    }
}
