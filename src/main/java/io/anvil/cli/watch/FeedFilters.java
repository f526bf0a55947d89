package io.anvil.cli.watch;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters of {@code GET /v1/events} (docs/events.md) as {@code anvil watch} takes them, and their query string.
 * Lists are sent comma-joined, the form the endpoint reads; empty or blank values are left out, so an unset option
 * never narrows the feed. The server validates the values and answers 400 for a bad one.
 */
public record FeedFilters(
        List<String> nodes, List<String> types, List<String> levels, String conductorGroup, String owner) {

    public static final FeedFilters NONE = new FeedFilters(List.of(), List.of(), List.of(), null, null);

    public FeedFilters {
        nodes = clean(nodes);
        types = clean(types);
        levels = clean(levels);
        conductorGroup = blankToNull(conductorGroup);
        owner = blankToNull(owner);
    }

    /**
     * The request URI: {@code basePath + "/v1/events"} with these filters and, when {@code since} is not null,
     * {@code since=<seq>} (resume after that event; without it the feed starts live).
     */
    public String uri(String basePath, Long since) {
        List<String> params = new ArrayList<>();
        add(params, "node", String.join(",", nodes));
        add(params, "type", String.join(",", types));
        add(params, "level", String.join(",", levels));
        add(params, "conductor_group", conductorGroup);
        add(params, "owner", owner);
        if (since != null) {
            add(params, "since", Long.toString(since));
        }
        String path = stripTrailingSlash(basePath == null ? "" : basePath) + "/v1/events";
        return params.isEmpty() ? path : path + "?" + String.join("&", params);
    }

    private static void add(List<String> params, String name, String value) {
        if (value != null && !value.isEmpty()) {
            // commas separate list items on the server, so they stay literal (URLEncoder keeps '*' as it is)
            params.add(name + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%2C", ","));
        }
    }

    private static List<String> clean(List<String> values) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (v == null) {
                continue;
            }
            // "--node a,b" and "--node a --node b" mean the same
            for (String part : v.split(",")) {
                String t = part.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String stripTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
