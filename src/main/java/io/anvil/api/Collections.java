package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.store.ListQuery;
import io.anvil.store.ResourceDef;
import io.anvil.store.ResourceStore;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Pagination and sorting shared by every collection: Ironic's limit/marker/sort_key/sort_dir and next links. */
final class Collections {
    static final List<String> PAGING = List.of("limit", "marker", "sort_key", "sort_dir", "fields", "detail");

    private Collections() {}

    /** Applies limit, sort and marker from the request; returns the effective limit. */
    static Future<Integer> page(RoutingContext ctx, ResourceStore store, ResourceDef def, ListQuery q, int maxLimit) {
        int limit = maxLimit;
        String l = Requests.query(ctx, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                return Future.failedFuture(AnvilException.invalid("Invalid limit '" + l + "': it must be an integer."));
            }
            if (limit <= 0) {
                return Future.failedFuture(AnvilException.invalid("Limit must be positive"));
            }
            limit = Math.min(limit, maxLimit);
        }
        String sortKey = Requests.query(ctx, "sort_key");
        if (sortKey == null) {
            sortKey = "id";
        } else if (!def.sortKeys().contains(sortKey)) {
            return Future.failedFuture(
                    AnvilException.invalid("The sort_key value \"" + sortKey + "\" is an invalid field for sorting"));
        }
        String dir = Requests.query(ctx, "sort_dir");
        if (dir != null && !dir.equals("asc") && !dir.equals("desc")) {
            return Future.failedFuture(AnvilException.invalid(
                    "Invalid sort direction: " + dir + ". Acceptable values are 'asc' or 'desc'"));
        }
        q.sort(sortKey, "desc".equals(dir)).limit(limit);
        String marker = Requests.query(ctx, "marker");
        int effective = limit;
        if (marker == null) {
            return Future.succeededFuture(effective);
        }
        if (SqlValues.uuidOrNull(marker) == null) {
            return Future.failedFuture(AnvilException.invalid("Invalid marker '" + marker + "': expected a UUID."));
        }
        String key = sortKey;
        return store.find(def, marker).compose(row -> {
            if (row == null) {
                return Future.failedFuture(AnvilException.notFound("Marker " + marker + " could not be found."));
            }
            return store.findRaw(def, marker, key).map(m -> {
                q.after(m);
                return effective;
            });
        });
    }

    /** The {@code next} link: this request's URL with limit and marker replaced. */
    static String nextUrl(RoutingContext ctx, String base, List<JsonObject> items, int limit) {
        if (items.isEmpty() || items.size() < limit) {
            return null;
        }
        String last = items.get(items.size() - 1).getString("uuid");
        StringJoiner q = new StringJoiner("&");
        for (Map.Entry<String, String> e : ctx.queryParams()) {
            if (!e.getKey().equals("limit") && !e.getKey().equals("marker")) {
                q.add(enc(e.getKey()) + "=" + enc(e.getValue()));
            }
        }
        q.add("limit=" + limit);
        q.add("marker=" + last);
        String path = ctx.request().path();
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        return base + "/" + path + "?" + q;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
