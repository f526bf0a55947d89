package io.anvil.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A viewer of {@code GET /v1/nodes/{id}/console} for tests: keeps the screen and the control messages. */
public final class ConsoleTestClient implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket ws;
    private final StringBuilder screen = new StringBuilder();
    private final List<JsonObject> controls = new ArrayList<>();
    private final List<Runnable> waiters = new ArrayList<>();
    private final Promise<Void> closed = Promise.promise();

    private ConsoleTestClient(WebSocketClient client, WebSocket ws) {
        this.client = client;
        this.ws = ws;
        ws.binaryMessageHandler(b -> changed(() -> screen.append(b.toString(StandardCharsets.UTF_8))));
        ws.textMessageHandler(t -> changed(() -> controls.add(new JsonObject(t))));
        ws.closeHandler(v -> {
            closed.tryComplete();
            changed(() -> {});
        });
    }

    public static Future<ConsoleTestClient> connect(Vertx vertx, int port, String uuid) {
        return connect(vertx, port, uuid, java.util.Map.of());
    }

    /** With extra request headers (credentials, a relay marker). */
    public static Future<ConsoleTestClient> connect(
            Vertx vertx, int port, String uuid, java.util.Map<String, String> headers) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/nodes/" + uuid + "/console");
        headers.forEach(options::addHeader);
        return open(vertx, client, options);
    }

    /** As a browser connects: no headers, the credential carried as a WebSocket subprotocol (docs/dashboard.md). */
    public static Future<ConsoleTestClient> connectWithProtocols(
            Vertx vertx, int port, String uuid, java.util.List<String> protocols) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/v1/nodes/" + uuid + "/console")
                .setSubProtocols(protocols);
        return open(vertx, client, options);
    }

    /** Handlers installed in the upgrade's own callback, on a Vert.x context: the first screen is not dropped. */
    private static Future<ConsoleTestClient> open(
            Vertx vertx, WebSocketClient client, WebSocketConnectOptions options) {
        return OnContext.of(vertx).call(() -> client.connect(options)
                .map(ws -> new ConsoleTestClient(client, ws))
                .onFailure(e -> client.close()));
    }

    private void changed(Runnable update) {
        List<Runnable> toRun;
        synchronized (this) {
            update.run();
            toRun = List.copyOf(waiters);
        }
        toRun.forEach(Runnable::run);
    }

    /** Completes once the screen text satisfies {@code condition}. */
    public Future<String> screen(Predicate<String> condition) {
        return until(() -> condition.test(screen.toString()) ? screen.toString() : null);
    }

    /** Completes with the first control message of that kind. */
    public Future<JsonObject> control(String kind) {
        return until(() -> controls.stream()
                .filter(c -> kind.equals(c.getString("control")))
                .findFirst()
                .orElse(null));
    }

    private <T> Future<T> until(java.util.function.Supplier<T> probe) {
        Promise<T> p = Promise.promise();
        Runnable check = () -> {
            T v;
            synchronized (this) {
                v = probe.get();
            }
            if (v != null) {
                p.tryComplete(v);
            }
        };
        synchronized (this) {
            waiters.add(check);
        }
        check.run();
        return p.future().onComplete(ar -> {
            synchronized (this) {
                waiters.remove(check);
            }
        });
    }

    /** The close frame's status code (null until closed). */
    public Short closeStatus() {
        return ws.closeStatusCode();
    }

    public String closeReason() {
        return ws.closeReason();
    }

    public boolean isClosed() {
        return closed.future().isComplete();
    }

    public synchronized List<JsonObject> controls() {
        return List.copyOf(controls);
    }

    public synchronized String text() {
        return screen.toString();
    }

    public Future<Void> type(String s) {
        return ws.writeBinaryMessage(Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)));
    }

    public Future<Void> closed() {
        return closed.future();
    }

    @Override
    public void close() {
        ws.close();
        client.close();
    }
}
