package io.anvil.api;

import io.anvil.auth.Caller;
import io.anvil.errors.AnvilException;
import io.anvil.events.EventFeed;
import io.anvil.events.FeedEvent;
import io.anvil.events.FeedFilter;
import io.anvil.events.FeedSink;
import io.anvil.events.Subscriber;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/events} (docs/events.md): the live feed as a WebSocket (an upgrade request) or as Server-Sent Events
 * ({@code Accept: text/event-stream}), or else one JSON page of stored events. Limits (429) and a resume that is too
 * old (410) are answered before any upgrade, with Ironic's error body.
 */
final class EventsApi {
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    private final EventFeed feed;

    EventsApi(EventFeed feed) {
        this.feed = feed;
    }

    void mount(Router r) {
        r.get("/v1/events").handler(this::events);
    }

    private void events(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        boolean webSocket = "websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE));
        boolean sse = !webSocket && accepts(req.getHeader(HttpHeaders.ACCEPT), "text/event-stream");
        FeedFilter filter;
        Long since;
        // a project's member or reader receives the events of its own nodes only (docs/security.md#roles)
        String project = Caller.of(ctx).visibleProject();
        try {
            filter = FeedFilter.of(
                            ctx.queryParam("node"),
                            ctx.queryParam("type"),
                            ctx.queryParam("level"),
                            single(ctx, "conductor_group"),
                            single(ctx, "owner"))
                    .restrictedTo(project);
            String lastEventId = sse ? req.getHeader("Last-Event-ID") : null;
            String sinceParam = single(ctx, "since");
            if (lastEventId != null && !lastEventId.isBlank()) {
                since = seq("Last-Event-ID", lastEventId);
            } else if (sinceParam != null) {
                since = seq("since", sinceParam);
            } else {
                since = null;
            }
        } catch (AnvilException e) {
            ctx.fail(e);
            return;
        }
        if (!webSocket && !sse) {
            Handlers.async(c -> feed.page(since, filter, limit(c))).handle(ctx);
            return;
        }
        String client =
                req.remoteAddress() == null ? "unknown" : req.remoteAddress().host();
        AnvilException refused = feed.hub().tryOpen(client);
        if (refused != null) {
            ctx.fail(refused);
            return;
        }
        if (webSocket) {
            // no byte of the upgrade may be consumed while the resume is checked
            req.pause();
        }
        Future<Void> resumable = since == null ? Future.succeededFuture() : feed.checkResume(since);
        resumable.onComplete(ar -> {
            if (ar.failed()) {
                feed.hub().release(client);
                ctx.fail(ar.cause());
            } else if (webSocket) {
                req.toWebSocket()
                        .onSuccess(ws -> webSocket(ws, filter, since, client, project))
                        .onFailure(e -> {
                            feed.hub().release(client);
                            if (!ctx.response().ended()) {
                                ctx.fail(new AnvilException(400, "WebSocket upgrade failed: " + e.getMessage()));
                            }
                        });
            } else {
                serverSentEvents(ctx.response(), filter, since, client);
            }
        });
    }

    private void webSocket(ServerWebSocket ws, FeedFilter filter, Long since, String client, String project) {
        Subscriber s = feed.subscribe(new WebSocketSink(ws), filter, since, client);
        ws.closeHandler(v -> s.gone());
        ws.exceptionHandler(e -> s.gone());
        ws.pongHandler(b -> s.heard());
        ws.textMessageHandler(text -> {
            s.heard();
            ws.writeTextMessage(answer(s, text, project).encode());
        });
        ws.binaryMessageHandler(b -> {
            s.heard();
            ws.writeTextMessage(error("binary frames are not understood: send JSON text frames")
                    .encode());
        });
    }

    /** The answer to a client frame: subscribe (new filters) or ping. */
    private static JsonObject answer(Subscriber s, String text, String project) {
        JsonObject msg;
        try {
            msg = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            return error("not a JSON object: expected {\"subscribe\": {...}} or {\"ping\": 1}");
        }
        if (msg.containsKey("subscribe")) {
            if (!(msg.getValue("subscribe") instanceof JsonObject filters)) {
                return error("'subscribe' must be an object of filters (node, type, level, conductor_group, owner)");
            }
            try {
                FeedFilter f = FeedFilter.of(filters);
                s.filter(f.restrictedTo(project));
                return new JsonObject()
                        .put("control", "subscribed")
                        .put("filters", f.toJson())
                        .put("resume_from", s.position());
            } catch (AnvilException e) {
                return error(e.getMessage());
            }
        }
        if (msg.containsKey("ping")) {
            // where a client that got no event yet (a live start, quiet filters) resumes without loss
            return new JsonObject().put("control", "pong").put("resume_from", s.position());
        }
        return error("unknown message: expected {\"subscribe\": {...}} or {\"ping\": 1}");
    }

    private static JsonObject error(String message) {
        return new JsonObject().put("control", "error").put("message", message);
    }

    private void serverSentEvents(HttpServerResponse res, FeedFilter filter, Long since, String client) {
        res.setStatusCode(200)
                .setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        // EventSource reconnects after a second, with Last-Event-ID: the resume needs nothing else
        res.write("retry: 1000\n\n");
        Subscriber s = feed.subscribe(new SseSink(res), filter, since, client);
        res.closeHandler(v -> s.gone());
        res.exceptionHandler(e -> s.gone());
    }

    private static final class WebSocketSink implements FeedSink {
        private final ServerWebSocket ws;

        WebSocketSink(ServerWebSocket ws) {
            this.ws = ws;
        }

        @Override
        public void send(FeedEvent event) {
            ws.writeTextMessage(event.text());
        }

        @Override
        public void control(JsonObject message) {
            ws.writeTextMessage(message.encode());
        }

        @Override
        public boolean writeQueueFull() {
            // a socket the client just closed throws here; its close handler is about to remove the subscriber
            return ws.isClosed() || ws.writeQueueFull();
        }

        @Override
        public void drainHandler(Runnable onDrain) {
            ws.drainHandler(v -> onDrain.run());
        }

        @Override
        public void ping() {
            ws.writePing(Buffer.buffer());
        }

        @Override
        public void close(int code) {
            ws.close((short) code);
        }

        @Override
        public boolean hearsClient() {
            return true;
        }

        @Override
        public String transport() {
            return "websocket";
        }
    }

    private static final class SseSink implements FeedSink {
        private static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");
        private final HttpServerResponse res;

        SseSink(HttpServerResponse res) {
            this.res = res;
        }

        @Override
        public void send(FeedEvent event) {
            res.write(event.sse());
        }

        @Override
        public void control(JsonObject message) {
            // only "closing" reaches an SSE client (it cannot subscribe or ping)
            res.write("event: " + message.getString("control") + "\ndata: " + message.encode() + "\n\n");
        }

        @Override
        public boolean writeQueueFull() {
            return res.writeQueueFull();
        }

        @Override
        public void drainHandler(Runnable onDrain) {
            res.drainHandler(v -> onDrain.run());
        }

        @Override
        public void ping() {
            res.write(KEEP_ALIVE);
        }

        @Override
        public void close(int code) {
            res.end();
        }

        @Override
        public boolean hearsClient() {
            return false;
        }

        @Override
        public String transport() {
            return "sse";
        }
    }

    private static boolean accepts(String accept, String type) {
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            if (part.trim().toLowerCase(java.util.Locale.ROOT).startsWith(type)) {
                return true;
            }
        }
        return false;
    }

    private static String single(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.size() > 1) {
            throw AnvilException.invalid("Query parameter '" + name + "' may be given once.");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    private static long seq(String what, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw AnvilException.invalid(
                    "Invalid " + what + " '" + value + "': expected the non-negative seq of an event.");
        }
    }

    private static int limit(RoutingContext ctx) {
        String raw = single(ctx, "limit");
        if (raw == null) {
            return DEFAULT_PAGE;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < 1 || v > MAX_PAGE) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw AnvilException.invalid(
                    "Invalid limit '" + raw + "': expected a whole number from 1 to " + MAX_PAGE + ".");
        }
    }
}
