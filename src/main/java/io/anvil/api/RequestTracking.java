package io.anvil.api;

import io.anvil.logging.LogContext;
import io.anvil.metrics.HttpMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first handler of every request (docs/operations.md): gives it a request id, as Ironic's request-id middleware
 * (oslo.middleware's RequestId) does — always a fresh {@code req-<uuid>}, returned in {@code X-OpenStack-Request-Id}
 * and Ironic's compatibility header {@code OpenStack-Request-Id}; a caller's own valid {@code req-<uuid>} in
 * X-OpenStack-Request-Id is kept as the global request id — puts both in the request's log fields, and times the
 * response into the HTTP metrics of the route that answered it.
 *
 * <p>Meters are looked up without building tag sets: {@link #bind} stores each mounted route's pre-registered meters
 * in the route's metadata, and {@link #routed} notes the answering route before a handler can fail (the failure
 * handler runs on a route of its own).
 */
final class RequestTracking implements Handler<RoutingContext> {
    static final String REQUEST_ID_HEADER = "X-OpenStack-Request-Id";
    /** Ironic's compat_headers: the same id under the older name (ironic/api/app.py). */
    static final String COMPAT_HEADER = "OpenStack-Request-Id";

    private static final String METERS = "anvil.meters";
    private static final String ROUTE = "anvil.route";

    private final HttpMetrics metrics;
    private final Map<HttpMethod, HttpMetrics.Route> unrouted = new ConcurrentHashMap<>();

    RequestTracking(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    /** Pre-registers the meters of every route of {@code router} that has a path (the answering routes). */
    void bind(Router router) {
        for (Route route : router.getRoutes()) {
            String path = route.getPath();
            if (path == null) {
                continue;
            }
            var methods = route.methods();
            String method = methods == null || methods.size() != 1
                    ? "*"
                    : methods.iterator().next().name();
            route.putMetadata(METERS, metrics.route(method, path));
        }
    }

    /** Notes the route answering the request and the node it names; called by every {@link Handlers} adapter. */
    static void routed(RoutingContext ctx) {
        ctx.put(ROUTE, ctx.currentRoute());
        String node = ctx.pathParam("node");
        if (node == null) {
            node = ctx.pathParam("node_ident");
        }
        if (node != null) {
            LogContext.node(node);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        String id = LogContext.newRequestId();
        LogContext.put(LogContext.REQUEST_ID, id);
        String inbound = request.getHeader(REQUEST_ID_HEADER);
        if (inbound != null && LogContext.isRequestId(inbound)) {
            LogContext.put(LogContext.GLOBAL_REQUEST_ID, inbound);
        }
        ctx.response().putHeader(REQUEST_ID_HEADER, id).putHeader(COMPAT_HEADER, id);
        ctx.addEndHandler(ar -> meters(ctx).record(ctx.response().getStatusCode(), System.nanoTime() - start));
        ctx.next();
    }

    private HttpMetrics.Route meters(RoutingContext ctx) {
        Route route = ctx.get(ROUTE);
        if (route == null) {
            route = ctx.currentRoute();
        }
        HttpMetrics.Route m = route == null ? null : route.getMetadata(METERS);
        if (m != null) {
            return m;
        }
        // no mounted route answered (404, 405, a refused version header): one series per method, never the raw path
        HttpMethod method = ctx.request().method();
        return unrouted.computeIfAbsent(method, k -> metrics.route(k.name(), "unmatched"));
    }
}
