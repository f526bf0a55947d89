package io.anvil.api;

import io.anvil.health.Readiness;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.MicrometerMetrics;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The operator's endpoints beside Ironic's API (docs/operations.md): {@code GET /metrics} (Prometheus text format),
 * {@code GET /health/live} (the process serves HTTP) and {@code GET /health/ready} (start-up finished and PostgreSQL
 * and Redis answer; 503 with a JSON body naming what is not ready). Ironic's own {@code /healthcheck} stays in
 * {@link ApiVerticle}.
 *
 * <p>The Prometheus exposition is rendered on a worker thread: with thousands of BMC series it is too much work for
 * an event loop.
 */
final class OpsApi {
    private final Vertx vertx;
    private final AnvilMetrics metrics;
    private final Readiness readiness;

    OpsApi(Vertx vertx, AnvilMetrics metrics, Readiness readiness) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    void mount(Router r) {
        r.get("/metrics").handler(this::metrics);
        r.get("/health/live").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end("{\"status\":\"live\"}"));
        r.get("/health/ready").handler(this::ready);
    }

    private void metrics(RoutingContext ctx) {
        if (!metrics.enabled()) {
            ctx.response()
                    .setStatusCode(404)
                    .putHeader("Content-Type", "text/plain")
                    .end("metrics are disabled\n");
            return;
        }
        vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                ctx.response()
                        .putHeader("Content-Type", MicrometerMetrics.CONTENT_TYPE)
                        .end(ar.result());
            }
        });
    }

    private void ready(RoutingContext ctx) {
        readiness.check().onComplete(ar -> {
            Readiness.Report report = ar.result();
            ctx.response()
                    .setStatusCode(report.ready() ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(report.toJson().toBuffer());
        });
    }
}
