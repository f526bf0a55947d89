package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A WebSocket subscriber of GET /v1/events for tests: keeps every event and control message it receives. */
public final class FeedTestClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final WebSocketClient client;
    private final WebSocket ws;
    private final List<JsonObject> events = new ArrayList<>();
    private final List<JsonObject> controls = new ArrayList<>();
    private volatile Short closeStatus;

    private FeedTestClient(Vertx vertx, WebSocketClient client, WebSocket ws) {
        this.vertx = vertx;
        this.client = client;
        this.ws = ws;
        ws.textMessageHandler(text -> {
            JsonObject o = new JsonObject(text);
            synchronized (this) {
                (o.containsKey("control") ? controls : events).add(o);
            }
        });
        ws.closeHandler(v -> closeStatus = ws.closeStatusCode() == null ? (short) 1006 : ws.closeStatusCode());
    }

    /** Connects to {@code port} with the query string {@code query} (may be empty), waiting for the upgrade. */
    public static FeedTestClient connect(Vertx vertx, int port, String query) {
        return connect(vertx, port, query, java.util.Map.of());
    }

    /** The same with request headers (e.g. {@code Authorization}). */
    public static FeedTestClient connect(Vertx vertx, int port, String query, java.util.Map<String, String> headers) {
        return connect(vertx, new WebSocketClientOptions(), port, query, headers);
    }

    /** The same with WebSocket subprotocols, as a browser offers them (the dashboard's credential, docs/dashboard.md). */
    public static FeedTestClient connectWithProtocols(Vertx vertx, int port, String query, List<String> protocols) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/events" + (query.isEmpty() ? "" : "?" + query))
                .setSubProtocols(protocols);
        return open(vertx, client, options);
    }

    /** The subprotocol the server selected (null: none). */
    public String subProtocol() {
        return ws.subProtocol();
    }

    /**
     * A subscriber whose socket holds at most {@code bytes} unread: a fixed SO_RCVBUF turns off the kernel's
     * autotuning, which on loopback may grow a paused reader's buffer to tens of MiB (net.ipv4.tcp_rmem), so that
     * when it stops reading the server's side fills within a known number of events.
     */
    static FeedTestClient connectWithReceiveBuffer(Vertx vertx, int port, String query, int bytes) {
        return connect(
                vertx, new WebSocketClientOptions().setReceiveBufferSize(bytes), port, query, java.util.Map.of());
    }

    private static FeedTestClient connect(
            Vertx vertx,
            WebSocketClientOptions clientOptions,
            int port,
            String query,
            java.util.Map<String, String> headers) {
        WebSocketClient client = vertx.createWebSocketClient(clientOptions);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/events" + (query.isEmpty() ? "" : "?" + query));
        headers.forEach(options::addHeader);
        return open(vertx, client, options);
    }

    /**
     * Connects on a Vert.x context and installs the handlers in the upgrade's own callback: a frame the server sends
     * right after the upgrade (a replay starts at once) must not arrive before there is a handler to keep it.
     */
    private static FeedTestClient open(Vertx vertx, WebSocketClient client, WebSocketConnectOptions options) {
        return get(io.anvil.testsupport.OnContext.of(vertx)
                .call(() -> client.connect(options).map(ws -> new FeedTestClient(vertx, client, ws))));
    }

    /** The upgrade's failure (e.g. 429 or 410 answered before the upgrade). */
    public static Throwable refused(Vertx vertx, int port, String query) {
        WebSocketClient client = vertx.createWebSocketClient();
        try {
            client.connect(new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/v1/events" + (query.isEmpty() ? "" : "?" + query)))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            client.close();
        }
        throw new AssertionError("the upgrade was accepted");
    }

    public synchronized List<JsonObject> events() {
        return List.copyOf(events);
    }

    synchronized List<JsonObject> controls() {
        return List.copyOf(controls);
    }

    public List<Long> seqs() {
        return events().stream().map(e -> e.getLong("seq")).toList();
    }

    Short closeStatus() {
        return closeStatus;
    }

    public void send(JsonObject message) {
        get(ws.writeTextMessage(message.encode()));
    }

    /** Waits until {@code n} events matching {@code which} arrived; returns them. */
    public List<JsonObject> awaitEvents(int n, Predicate<JsonObject> which, String what) {
        try {
            io.anvil.testsupport.Conditions.await(
                    vertx,
                    what,
                    WAIT,
                    Duration.ofMillis(20),
                    () -> events().stream().filter(which).count() >= n);
        } catch (AssertionError e) {
            // what arrived says whether events were lost, late or never sent
            List<JsonObject> got = events().stream().filter(which).toList();
            throw new AssertionError(
                    e.getMessage() + "; got " + got.size() + " of " + n + ", seqs "
                            + (got.isEmpty()
                                    ? "none"
                                    : got.get(0).getLong("seq") + ".."
                                            + got.get(got.size() - 1).getLong("seq"))
                            + ", controls " + controls(),
                    e);
        }
        return events().stream().filter(which).toList();
    }

    public JsonObject awaitControl(String kind) {
        io.anvil.testsupport.Conditions.await(
                vertx, "a '" + kind + "' control message", WAIT, Duration.ofMillis(20), () -> controls().stream()
                        .anyMatch(c -> kind.equals(c.getString("control"))));
        return controls().stream()
                .filter(c -> kind.equals(c.getString("control")))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    void awaitClosed() {
        io.anvil.testsupport.Conditions.await(
                vertx, "the server closing the WebSocket", WAIT, Duration.ofMillis(20), () -> closeStatus != null);
    }

    /** Stops reading from the socket (TCP backpressure builds up on the server). */
    void stall() {
        ws.pause();
    }

    void resumeReading() {
        ws.resume();
    }

    @Override
    public void close() {
        if (closeStatus == null) {
            ws.close();
        }
        client.close();
    }

    static <T> T get(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
