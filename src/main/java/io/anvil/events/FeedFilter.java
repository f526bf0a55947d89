package io.anvil.events;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a subscriber wants (docs/events.md#filters): nodes by uuid or name, event types by {@code *} patterns,
 * levels, conductor group and owner. Empty means "everything"; the parts combine with AND, the values of one part
 * with OR. Checked in memory for live events and as SQL for replays and pages, with the same meaning.
 */
public final class FeedFilter {
    public static final FeedFilter ALL = new FeedFilter(Set.of(), List.of(), Set.of(), null, null, null);

    private static final Set<String> LEVELS = Set.of("debug", "info", "warning", "error", "critical");
    private static final Pattern TYPE_PATTERN = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");
    private static final Pattern UUID =
            Pattern.compile("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Set<String> nodes;
    private final List<String> types;
    private final List<Pattern> typeRegexes;
    private final Set<String> levels;
    private final String conductorGroup;
    private final String owner;
    /** The caller's project (docs/security.md#roles): only events of nodes it owns or leases; null = every node. */
    private final String project;

    private FeedFilter(
            Set<String> nodes,
            List<String> types,
            Set<String> levels,
            String conductorGroup,
            String owner,
            String project) {
        this.nodes = nodes;
        this.types = types;
        this.typeRegexes = types.stream().map(FeedFilter::regexOf).toList();
        this.levels = levels;
        this.conductorGroup = conductorGroup;
        this.owner = owner;
        this.project = project;
    }

    /**
     * These filters limited to the events of nodes {@code project} owns or leases (as their payload says); null
     * leaves them as they are. Not shown in {@link #toJson}: a subscriber cannot lift it.
     */
    public FeedFilter restrictedTo(String project) {
        return project == null ? this : new FeedFilter(nodes, types, levels, conductorGroup, owner, project);
    }

    /**
     * From query parameters ({@code node}, {@code type}, {@code level}: comma lists) or a subscribe message's
     * values; null means absent.
     *
     * @throws AnvilException 400 naming the bad value
     */
    public static FeedFilter of(
            List<String> node, List<String> type, List<String> level, String conductorGroup, String owner) {
        Set<String> nodes = new LinkedHashSet<>();
        for (String n : split(node)) {
            nodes.add(UUID.matcher(n).matches() ? n.toLowerCase(Locale.ROOT) : n);
        }
        List<String> types = new ArrayList<>();
        for (String t : split(type)) {
            if (!TYPE_PATTERN.matcher(t).matches()) {
                throw AnvilException.invalid("Invalid event type pattern '" + t
                        + "': use letters, digits, '.', '_', '-' and '*' wildcards, e.g. baremetal.node.power_*.");
            }
            types.add(t);
        }
        Set<String> levels = new LinkedHashSet<>();
        for (String l : split(level)) {
            String v = l.toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(v)) {
                throw AnvilException.invalid(
                        "Invalid event level '" + l + "': expected one of debug, info, warning, error, critical.");
            }
            levels.add(v);
        }
        return new FeedFilter(
                Set.copyOf(nodes),
                List.copyOf(types),
                Set.copyOf(levels),
                blankToNull(conductorGroup),
                blankToNull(owner),
                null);
    }

    /**
     * A WebSocket subscribe message's filters: lists or comma strings.
     *
     * @throws AnvilException 400 for a malformed message
     */
    public static FeedFilter of(JsonObject subscribe) {
        for (String key : subscribe.fieldNames()) {
            if (!Set.of("node", "type", "level", "conductor_group", "owner").contains(key)) {
                throw AnvilException.invalid("Unknown filter '" + key
                        + "' in subscribe: expected node, type, level, conductor_group or owner.");
            }
        }
        return of(
                list(subscribe, "node"),
                list(subscribe, "type"),
                list(subscribe, "level"),
                string(subscribe, "conductor_group"),
                string(subscribe, "owner"));
    }

    /** The node uuids and names asked for; empty: every node (and events of no node). */
    Set<String> nodes() {
        return nodes;
    }

    public boolean matches(FeedEvent e) {
        if (!nodes.isEmpty()
                && !(e.nodeUuid() != null && nodes.contains(e.nodeUuid()))
                && !(e.nodeName() != null && nodes.contains(e.nodeName()))) {
            return false;
        }
        if (!typeRegexes.isEmpty()
                && typeRegexes.stream().noneMatch(p -> p.matcher(e.eventType()).matches())) {
            return false;
        }
        if (!levels.isEmpty() && !levels.contains(e.level())) {
            return false;
        }
        if (conductorGroup != null && !conductorGroup.equals(e.conductorGroup())) {
            return false;
        }
        if (project != null && !project.equals(e.owner()) && !project.equals(e.lessee())) {
            return false;
        }
        return owner == null || owner.equals(e.owner());
    }

    /** The same test as SQL over the {@code events} table: " AND ..." conditions, parameters appended to {@code p}. */
    public String sql(Tuple p) {
        StringBuilder sql = new StringBuilder();
        if (!nodes.isEmpty()) {
            p.addArrayOfString(nodes.toArray(String[]::new));
            int i = p.size();
            sql.append(" AND (node_uuid::text = ANY($")
                    .append(i)
                    .append(") OR (event_type LIKE 'baremetal.node.%' AND payload->>'name' = ANY($")
                    .append(i)
                    .append(")) OR (event_type NOT LIKE 'baremetal.node.%' AND payload->>'node_name' = ANY($")
                    .append(i)
                    .append(")))");
        }
        if (!types.isEmpty()) {
            p.addArrayOfString(types.stream().map(FeedFilter::likeOf).toArray(String[]::new));
            sql.append(" AND event_type LIKE ANY($").append(p.size()).append(")");
        }
        if (!levels.isEmpty()) {
            p.addArrayOfString(levels.toArray(String[]::new));
            sql.append(" AND priority = ANY($").append(p.size()).append(")");
        }
        if (conductorGroup != null) {
            p.addString(conductorGroup);
            sql.append(" AND payload->>'conductor_group' = $").append(p.size());
        }
        if (owner != null) {
            p.addString(owner);
            sql.append(" AND payload->>'owner' = $").append(p.size());
        }
        if (project != null) {
            p.addString(project);
            sql.append(" AND (payload->>'owner' = $")
                    .append(p.size())
                    .append(" OR payload->>'lessee' = $")
                    .append(p.size())
                    .append(")");
        }
        return sql.toString();
    }

    /** The filters as a subscribe message spells them (the {@code subscribed} answer echoes this). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject()
                .put("node", new JsonArray(List.copyOf(nodes)))
                .put("type", new JsonArray(types))
                .put("level", new JsonArray(List.copyOf(levels)));
        o.put("conductor_group", conductorGroup);
        o.put("owner", owner);
        return o;
    }

    @Override
    public String toString() {
        return toJson().encode();
    }

    private static Pattern regexOf(String glob) {
        StringBuilder re = new StringBuilder();
        String[] parts = glob.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            if (!parts[i].isEmpty()) {
                re.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static String likeOf(String glob) {
        return glob.replace("\\", "\\\\")
                .replace("%", "\\%")
                .replace("_", "\\_")
                .replace('*', '%');
    }

    private static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        return out;
    }

    private static List<String> list(JsonObject o, String key) {
        Object v = o.getValue(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof JsonArray a) {
            List<String> out = new ArrayList<>();
            for (Object x : a) {
                if (!(x instanceof String s)) {
                    throw AnvilException.invalid("Filter '" + key + "' must be a list of strings.");
                }
                out.add(s);
            }
            return out;
        }
        throw AnvilException.invalid("Filter '" + key + "' must be a string or a list of strings.");
    }

    private static String string(JsonObject o, String key) {
        Object v = o.getValue(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw AnvilException.invalid("Filter '" + key + "' must be a string.");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
