package io.anvil.api;

import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Adapters from an API method to a route handler. Every API class mounts its routes with these, so a thrown or
 * failed result always reaches the one failure handler ({@link ApiErrors}) and bodies are always JSON.
 */
final class Handlers {
    private Handlers() {}

    /** A JSON answer computed on the event loop. */
    static Handler<RoutingContext> sync(Function<RoutingContext, JsonObject> f) {
        return async(ctx -> Future.succeededFuture(f.apply(ctx)));
    }

    /** A JSON answer computed asynchronously. */
    static Handler<RoutingContext> async(Function<RoutingContext, Future<JsonObject>> f) {
        return respond(f, (ctx, json) -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(json.toBuffer()));
    }

    /** A JSON answer already encoded (the cached renderings of the hot paths). */
    static Handler<RoutingContext> encoded(Function<RoutingContext, Future<Buffer>> f) {
        return respond(f, (ctx, body) -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(body));
    }

    /** An answer without a body, with {@code status} (202 for accepted work, 204 for done). */
    static Handler<RoutingContext> noContent(Function<RoutingContext, Future<Void>> f, int status) {
        return respond(f, (ctx, v) -> ctx.response().setStatusCode(status).end());
    }

    /** Runs a handler returning a Future; a thrown or failed result goes to the one failure handler. */
    static <T> Handler<RoutingContext> respond(
            Function<RoutingContext, Future<T>> f, BiConsumer<RoutingContext, T> ok) {
        return ctx -> {
            RequestTracking.routed(ctx);
            Futures.attempt(() -> f.apply(ctx)).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.fail(ar.cause());
                } else {
                    ok.accept(ctx, ar.result());
                }
            });
        };
    }
}
