package io.anvil.events;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.List;

/**
 * A Server-Sent Events client with the browser's EventSource semantics (the WHATWG HTML "server-sent events"
 * processing model): lines are parsed into fields, {@code id} sets the last event id, {@code retry} the reconnection
 * time, a blank line dispatches; an event without an {@code event} field goes to onmessage. When the server ends the
 * stream the client reconnects by itself after the retry time, sending {@code Last-Event-ID}.
 */
final class EventSourceClient implements AutoCloseable {
    private final Vertx vertx;
    private final HttpClient http;
    private final String uri;
    private final List<JsonObject> messages = new ArrayList<>();
    private final List<JsonObject> named = new ArrayList<>();
    private volatile String lastEventId;
    private volatile long retryMs = 3000;
    private volatile int connections;
    private volatile boolean closed;
    private volatile HttpClientResponse current;
    private volatile boolean stalled;
    // the event being parsed
    private String eventName;
    private final StringBuilder data = new StringBuilder();
    private String pendingId;

    EventSourceClient(Vertx vertx, int port, String uri) {
        this.vertx = vertx;
        // a fixed receive buffer: a stalled stream fills within a known number of events (no kernel autotuning)
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setReceiveBufferSize(128 * 1024));
        this.uri = uri;
        connect();
    }

    private void connect() {
        if (closed) {
            return;
        }
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri))
                .compose(req -> {
                    req.putHeader("Accept", "text/event-stream");
                    if (lastEventId != null) {
                        req.putHeader("Last-Event-ID", lastEventId);
                    }
                    return req.send();
                })
                .onSuccess(res -> {
                    connections++;
                    current = res;
                    if (stalled) {
                        res.pause();
                    }
                    RecordParser lines = RecordParser.newDelimited("\n", this::line);
                    res.handler(lines);
                    res.endHandler(v -> reconnect());
                    res.exceptionHandler(e -> {});
                })
                .onFailure(e -> reconnect());
    }

    private void reconnect() {
        if (!closed) {
            vertx.setTimer(retryMs, id -> connect());
        }
    }

    private synchronized void line(Buffer b) {
        String line = b.toString();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.startsWith(":")) {
            return; // a comment (keep-alive)
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> eventName = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> pendingId = value;
            case "retry" -> {
                if (value.matches("\\d+")) {
                    retryMs = Long.parseLong(value);
                }
            }
            default -> {}
        }
    }

    private void dispatch() {
        if (pendingId != null) {
            lastEventId = pendingId;
            pendingId = null;
        }
        if (data.length() == 0) {
            eventName = null;
            return;
        }
        JsonObject o = new JsonObject(data.substring(0, data.length() - 1));
        (eventName == null ? messages : named).add(o);
        data.setLength(0);
        eventName = null;
    }

    synchronized List<JsonObject> messages() {
        return List.copyOf(messages);
    }

    /** Named events (the server's {@code closing}). */
    synchronized List<JsonObject> named() {
        return List.copyOf(named);
    }

    int connections() {
        return connections;
    }

    /** Stops reading the current stream (and the next ones until {@link #unstall}). */
    void stall() {
        stalled = true;
        HttpClientResponse r = current;
        if (r != null) {
            r.pause();
        }
    }

    void unstall() {
        stalled = false;
        HttpClientResponse r = current;
        if (r != null) {
            r.resume();
        }
    }

    @Override
    public void close() {
        closed = true;
        http.close();
    }
}
