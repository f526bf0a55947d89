package io.anvil.limits;

import io.anvil.config.AnvilConfig;
import io.anvil.errors.AnvilException;
import io.anvil.metrics.AnvilMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The API's request limits (docs/api.md#limits): per-client token buckets on {@code /v1} (heartbeats counted apart, as
 * agents heartbeat on their own schedule) answering 429 with {@code Retry-After}, and the nesting depth of request
 * bodies (400). One instance per Vert.x, shared by every API verticle so a client's budget is the same whichever event
 * loop serves it. Refusals are counted in {@code anvil_api_refused_total{reason}}.
 */
public final class RequestLimits implements Shareable {
    /**
     * Where a handler that ran before may put the caller's identity (an authenticated user); the rate limits then
     * count per identity instead of per remote address.
     */
    public static final String CLIENT_KEY = "anvil.limits.client";

    private static final String MAP = "anvil.limits";
    private static final String HEARTBEATS = "/v1/heartbeat/";

    private final int maxJsonDepth;
    private final TokenBuckets api;
    private final TokenBuckets heartbeats;
    private final AtomicLong refusedApi = new AtomicLong();
    private final AtomicLong refusedHeartbeats = new AtomicLong();
    private final AtomicLong refusedDepth = new AtomicLong();

    RequestLimits(AnvilConfig config) {
        this.maxJsonDepth = config.maxJsonDepth();
        AnvilConfig.RateLimit apiLimit = config.rateLimit(false);
        AnvilConfig.RateLimit heartbeatLimit = config.rateLimit(true);
        this.api = apiLimit.enabled() ? new TokenBuckets(apiLimit, config.rateLimitMaxClients()) : null;
        this.heartbeats =
                heartbeatLimit.enabled() ? new TokenBuckets(heartbeatLimit, config.rateLimitMaxClients()) : null;
    }

    /**
     * The limits shared by the API verticles of one server ({@code owner}: the object they all share), made (and their
     * refusal counters registered) by the first verticle that asks.
     */
    public static RequestLimits of(Vertx vertx, Object owner, AnvilConfig config, AnvilMetrics metrics) {
        LocalMap<String, RequestLimits> map = vertx.sharedData().getLocalMap(MAP);
        RequestLimits created = new RequestLimits(config);
        RequestLimits existing = map.putIfAbsent(key(owner), created);
        if (existing != null) {
            return existing;
        }
        String help = "API requests refused by a limit (docs/api.md#limits)";
        metrics.counter("anvil.api.refused", help, created.refusedApi, AtomicLong::get, "reason", "rate_limit");
        metrics.counter(
                "anvil.api.refused",
                help,
                created.refusedHeartbeats,
                AtomicLong::get,
                "reason",
                "heartbeat_rate_limit");
        metrics.counter("anvil.api.refused", help, created.refusedDepth, AtomicLong::get, "reason", "json_depth");
        // the event feed's stream limits (docs/events.md) are kept by its hub
        io.anvil.events.EventFeed.of(vertx)
                .ifPresent(feed -> metrics.counter(
                        "anvil.api.refused",
                        help,
                        feed.hub(),
                        h -> h.refusedConnections(),
                        "reason",
                        "feed_connections"));
        return created;
    }

    /** Forgets the shared limits of {@code owner} (its API stopped), so a new start reads the configuration again. */
    public static void release(Vertx vertx, Object owner) {
        vertx.sharedData().getLocalMap(MAP).remove(key(owner));
    }

    private static String key(Object owner) {
        return MAP + "@" + System.identityHashCode(owner);
    }

    /** Route handler, mounted before the body is read: a client over its budget gets 429 and no body is buffered. */
    public void rateLimit(RoutingContext ctx) {
        String path = ctx.request().path();
        boolean heartbeat = path != null && path.startsWith(HEARTBEATS);
        TokenBuckets buckets = heartbeat ? heartbeats : api;
        if (buckets == null || path == null || !path.startsWith("/v1")) {
            ctx.next();
            return;
        }
        long wait = buckets.take(client(ctx), System.nanoTime());
        if (wait == 0) {
            ctx.next();
            return;
        }
        (heartbeat ? refusedHeartbeats : refusedApi).incrementAndGet();
        ctx.response().putHeader("Retry-After", Long.toString(wait));
        ctx.fail(new AnvilException(
                429,
                "Too many requests from this client" + (heartbeat ? " (heartbeats)" : "") + "; retry after " + wait
                        + " s (api.rate_limit" + (heartbeat ? ".heartbeats" : "") + ".requests_per_second)."));
    }

    /** Route handler, mounted after the body is read and before any API handler decodes it. */
    public void jsonDepth(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        JsonScan.Verdict verdict =
                body == null || body.length() == 0 ? JsonScan.Verdict.OK : JsonScan.scan(body, maxJsonDepth);
        switch (verdict) {
            case TOO_DEEP -> {
                refusedDepth.incrementAndGet();
                ctx.fail(AnvilException.invalid("The request body is nested deeper than " + maxJsonDepth
                        + " levels of arrays and objects (api.max_json_depth)."));
            }
            case NUL -> ctx.fail(AnvilException.invalid("The request body contains a NUL character (\\u0000)."));
            default -> ctx.next();
        }
    }

    private static String client(RoutingContext ctx) {
        Object identity = ctx.get(CLIENT_KEY);
        if (identity != null) {
            return "id:" + identity;
        }
        SocketAddress remote = ctx.request().remoteAddress();
        return remote == null || remote.host() == null ? "unknown" : remote.host();
    }
}
