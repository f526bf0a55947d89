package io.anvil.api;

import io.anvil.config.Booleans;
import io.anvil.errors.AnvilException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Small helpers every resource handler uses: the negotiated version, the JSON body, query parameters. */
final class Requests {
    static final String VERSION_KEY = "anvil.version";

    private Requests() {}

    static ApiVersion version(RoutingContext ctx) {
        ApiVersion v = ctx.get(VERSION_KEY);
        return v == null ? ApiVersion.MIN : v;
    }

    /** The body parsed as JSON (object or list); 400 when absent or malformed. */
    static Object json(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw AnvilException.invalid("The request body is empty; a JSON document is required.");
        }
        try {
            return Json.decodeValue(body);
        } catch (DecodeException e) {
            throw AnvilException.invalid("The request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    static JsonObject jsonObject(RoutingContext ctx) {
        Object v = json(ctx);
        if (!(v instanceof JsonObject o)) {
            throw AnvilException.invalid("The request body must be a JSON object.");
        }
        return o;
    }

    /**
     * Route handler, first on every request: a query string with a broken %-escape (which would otherwise fail inside
     * the router's matching, without Ironic's error body) or a NUL character anywhere in the URI (PostgreSQL cannot
     * store or compare one) is 400.
     */
    static void wellFormed(RoutingContext ctx) {
        String uri = ctx.request().uri();
        if (uri != null && uri.contains("%00")) {
            ctx.fail(AnvilException.invalid("The request URI contains a NUL character (%00)."));
            return;
        }
        if (!escapesWellFormed(ctx.request().path())) {
            ctx.fail(AnvilException.invalid("The request path has a malformed %-escape."));
            return;
        }
        if (ctx.request().query() != null) {
            try {
                ctx.request().params();
            } catch (IllegalArgumentException e) {
                ctx.fail(AnvilException.invalid("The query string is malformed: " + e.getMessage()));
                return;
            }
        }
        ctx.next();
    }

    /** Every '%' is followed by two hex digits (the router's path decoding fails otherwise). */
    private static boolean escapesWellFormed(String path) {
        if (path == null) {
            return true;
        }
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length()
                    || Character.digit(path.charAt(i + 1), 16) < 0
                    || Character.digit(path.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static String query(RoutingContext ctx, String name) {
        List<String> all = ctx.queryParam(name);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    static Boolean boolQuery(RoutingContext ctx, String name) {
        String v = query(ctx, name);
        if (v == null) {
            return null;
        }
        return Booleans.fromString(v)
                .orElseThrow(() -> AnvilException.invalid(
                        "Invalid value for query parameter " + name + ": '" + v + "' is not a boolean."));
    }

    /** Rejects query parameters the endpoint does not know, so a typo is an error, not an unfiltered answer. */
    static void allowOnly(RoutingContext ctx, Set<String> allowed) {
        for (String name : ctx.queryParams().names()) {
            if (!allowed.contains(name)) {
                throw AnvilException.invalid("Unknown query parameter '" + name + "'. Known: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
            }
        }
    }

    /** {@code fields=a,b} as an ordered set, or null when absent. */
    static Set<String> fields(RoutingContext ctx) {
        String f = query(ctx, "fields");
        if (f == null) {
            return null;
        }
        if (!version(ctx).atLeast(8)) {
            throw AnvilException.notAcceptable("The 'fields' parameter needs API version 1.8 or later.");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : f.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
