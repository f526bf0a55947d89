package io.anvil.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Ironic's {@code links}: a "self" link under /v1 and a "bookmark" link without the version. */
public final class Links {
    private Links() {}

    /** The base URL clients used to reach us (configured public URL, else scheme://Host of the request). */
    public static String base(RoutingContext ctx, String publicUrl) {
        if (publicUrl != null && !publicUrl.isBlank()) {
            return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        }
        String host =
                ctx.request().authority() != null ? ctx.request().authority().toString() : "localhost";
        return ctx.request().scheme() + "://" + host;
    }

    public static JsonArray of(String base, String path) {
        return new JsonArray()
                .add(new JsonObject().put("href", base + "/v1/" + path).put("rel", "self"))
                .add(new JsonObject().put("href", base + "/" + path).put("rel", "bookmark"));
    }
}
