package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fleet dashboard (docs/dashboard.md): {@code GET /} answers a browser (one that asks for {@code text/html}) with
 * the page and passes every other client on to Ironic's root document, so the {@code baremetal} CLI's version
 * discovery is untouched; {@code GET /dashboard/{file}} serves the page's static files. The files are plain HTML,
 * CSS and JavaScript modules in {@code src/main/resources/dashboard}, read once (on a worker) and kept in memory;
 * each answer carries an {@code ETag} and {@code Cache-Control: no-cache}, so a browser revalidates with a cheap 304
 * and never runs a stale script after an upgrade.
 */
final class DashboardApi {
    /** Every file of the page; nothing else under /dashboard/ is served. */
    static final List<String> FILES = List.of(
            "index.html", "app.css", "app.js", "api.js", "feed.js", "fleet.js", "table.js", "node.js", "states.js");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8");
    /** Scripts and styles from this origin only; WebSockets back to it (the feed, consoles). */
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:;"
            + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private record Asset(Buffer body, String type, String etag) {}

    /** Shared by the API verticles of the process: the files do not change while it runs. */
    private static volatile Map<String, Asset> assets;

    private final Vertx vertx;

    DashboardApi(Vertx vertx) {
        this.vertx = vertx;
    }

    void mount(Router r) {
        r.get("/").handler(ctx -> {
            // the same URL answers HTML or JSON: caches must keep the two apart
            ctx.response().putHeader("Vary", "Accept");
            if (wantsHtml(ctx.request().getHeader("Accept"))) {
                serve(ctx, "index.html");
            } else {
                ctx.next();
            }
        });
        r.get("/dashboard/:file").handler(ctx -> serve(ctx, ctx.pathParam("file")));
    }

    /**
     * True when the client prefers HTML: {@code text/html} is listed and {@code application/json} not with a higher
     * (or, listed first, equal) quality. Browsers send {@code text/html,…,*}{@code /*;q=0.8}; keystoneauth (the
     * {@code baremetal} CLI) sends {@code application/json}; curl sends {@code *}{@code /*}.
     */
    static boolean wantsHtml(String accept) {
        if (accept == null) {
            return false;
        }
        double html = -1;
        double json = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (type.equals("text/html") && html < 0) {
                html = q;
            } else if (type.equals("application/json") && json < 0) {
                json = q;
                if (html < 0) {
                    json += 1e-9; // listed first: JSON wins a tie
                }
            }
        }
        return html > 0 && html > json;
    }

    private void serve(RoutingContext ctx, String file) {
        loaded().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            Asset a = ar.result().get(file);
            if (a == null) {
                ctx.fail(AnvilException.notFound("The resource could not be found."));
                return;
            }
            ctx.response()
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("ETag", a.etag())
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer");
            if (file.endsWith(".html")) {
                ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Frame-Options", "DENY");
            }
            String match = ctx.request().getHeader("If-None-Match");
            if (match != null && match.contains(a.etag())) {
                ctx.response().setStatusCode(304).end();
                return;
            }
            ctx.response().putHeader("Content-Type", a.type()).end(a.body());
        });
    }

    private Future<Map<String, Asset>> loaded() {
        Map<String, Asset> now = assets;
        if (now != null) {
            return Future.succeededFuture(now);
        }
        // reading the class path is blocking I/O: a worker's, once per process
        return vertx.executeBlocking(
                () -> {
                    Map<String, Asset> out = new HashMap<>();
                    for (String f : FILES) {
                        out.put(f, read(f));
                    }
                    assets = Map.copyOf(out);
                    return assets;
                },
                false);
    }

    private static Asset read(String file) throws IOException {
        try (InputStream in = DashboardApi.class.getResourceAsStream("/dashboard/" + file)) {
            if (in == null) {
                throw new IOException("dashboard file missing from the class path: " + file);
            }
            byte[] bytes = in.readAllBytes();
            String ext = file.substring(file.lastIndexOf('.') + 1);
            return new Asset(
                    Buffer.buffer(bytes), TYPES.get(ext), "\"" + sha256(bytes).substring(0, 20) + "\"");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
