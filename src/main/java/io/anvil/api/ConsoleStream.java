package io.anvil.api;

import io.anvil.conductor.Consoles;
import io.anvil.errors.AnvilException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/nodes/{id}/console} upgraded to a WebSocket (docs/console.md): binary frames from the server are the
 * console's output (first the buffered last screenful), binary or text frames from the client are keystrokes, and text
 * frames from the server are JSON control messages ({@code {"control": "attached" | "input_refused" | "ended" |
 * "idle_timeout", ...}}). Many viewers read; one writes at a time. Nothing here takes the node's lock.
 */
final class ConsoleStream implements Consoles.Viewer {

    private final ApiServices services;
    private final NodeApi nodes;
    private final ConsoleRelay relay;
    private ServerWebSocket ws;
    private Consoles.NodeConsole console;
    private long idleTimer = -1;
    private long idleMillis;
    private io.vertx.core.Vertx vertx;

    ConsoleStream(ApiServices services, NodeApi nodes, ConsoleRelay relay) {
        this.services = services;
        this.nodes = nodes;
        this.relay = relay;
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
            ctx.fail(AnvilException.invalid(
                    "The console stream is a WebSocket: send the request with 'Upgrade: websocket'."));
            return;
        }
        req.pause(); // no byte of the upgrade may be consumed while the node is read
        nodes.load(ctx.pathParam("node")).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            JsonObject node = ar.result();
            String uuid = node.getString("uuid");
            if (!Boolean.TRUE.equals(node.getBoolean("console_enabled"))) {
                ctx.fail(AnvilException.invalid("The console for node " + uuid + " is not enabled."));
                return;
            }
            if (!Consoles.INTERFACE.equals(node.getString("console_interface"))) {
                ctx.fail(AnvilException.invalid("Console interface " + node.getString("console_interface") + " of node "
                        + uuid + " has no stream; use " + Consoles.INTERFACE + "."));
                return;
            }
            Consoles consoles = services.consoles();
            Consoles.NodeConsole held =
                    consoles == null ? null : consoles.get(uuid).orElse(null);
            if (held == null) {
                relayOrRefuse(ctx, node);
                return;
            }
            vertx = ctx.vertx();
            idleMillis = Math.round(services.config()
                            .setting("console.idle_timeout")
                            .map(o -> Double.parseDouble(String.valueOf(o)))
                            .orElse(600.0)
                    * 1000);
            req.toWebSocket().onSuccess(socket -> attach(socket, held, uuid)).onFailure(e -> {
                if (!ctx.response().ended()) {
                    ctx.fail(new AnvilException(400, "WebSocket upgrade failed: " + e.getMessage()));
                }
            });
        });
    }

    /**
     * The console is not held here: when another alive conductor owns the node, the viewer is relayed to it; a
     * relayed request is never relayed again (the two conductors' rings may briefly disagree).
     */
    private void relayOrRefuse(RoutingContext ctx, JsonObject node) {
        String uuid = node.getString("uuid");
        String here = services.conductors().hostname();
        AnvilException notHere = new AnvilException(
                503,
                "The console of node " + uuid + " is not connected on this conductor (it is starting, failed, or"
                        + " moving between conductors); try again shortly.");
        if (ctx.request().getHeader(ConsoleRelay.HEADER) != null || relay == null) {
            ctx.fail(notHere);
            return;
        }
        services.conductors()
                .rings()
                .map(rings -> rings.owner(uuid, node.getString("driver"), node.getString("conductor_group")))
                .compose(owner -> owner == null || owner.equalsIgnoreCase(here)
                        ? io.vertx.core.Future.succeededFuture((String[]) null)
                        : services.conductors().apiUrlOf(owner).map(url -> url.map(u -> new String[] {owner, u})
                                .orElse(null)))
                .onComplete(ar -> {
                    if (ar.failed() || ar.result() == null) {
                        ctx.fail(notHere);
                    } else {
                        relay.relay(ctx, uuid, ar.result()[0], ar.result()[1]);
                    }
                });
    }

    private void attach(ServerWebSocket socket, Consoles.NodeConsole held, String uuid) {
        ws = socket;
        console = held;
        ws.closeHandler(v -> gone());
        ws.exceptionHandler(e -> gone());
        ws.binaryMessageHandler(b -> input(b.getBytes()));
        ws.textMessageHandler(t -> input(t.getBytes(StandardCharsets.UTF_8)));
        control(new JsonObject().put("control", "attached").put("node", uuid).put("viewers", held.viewers() + 1));
        held.attach(this);
        touch();
    }

    private void input(byte[] bytes) {
        touch();
        console.input(this, bytes).onSuccess(r -> {
            if (!r.accepted()) {
                control(new JsonObject().put("control", "input_refused").put("message", r.refusal()));
            }
        });
    }

    /** Input resets the idle timer; a viewer that sends nothing for console.idle_timeout is disconnected. */
    private void touch() {
        if (idleMillis <= 0) {
            return;
        }
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
        idleTimer = vertx.setTimer(idleMillis, id -> {
            String why = "no input for " + idleMillis / 1000.0 + " s";
            control(new JsonObject().put("control", "idle_timeout").put("message", why + ": disconnected"));
            ws.close((short) 1000, "idle timeout: " + why);
        });
    }

    private void gone() {
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
            idleTimer = -1;
        }
        if (console != null) {
            console.detach(this);
        }
    }

    private void control(JsonObject message) {
        if (!ws.isClosed()) {
            ws.writeTextMessage(message.encode());
        }
    }

    @Override
    public void output(byte[] bytes) {
        // a viewer too slow to keep up loses output rather than slowing the console for everyone
        if (!ws.isClosed() && !ws.writeQueueFull()) {
            ws.writeBinaryMessage(Buffer.buffer(bytes));
        }
    }

    @Override
    public void ended(String why) {
        control(new JsonObject().put("control", "ended").put("message", why));
        if (!ws.isClosed()) {
            ws.close((short) 1000, "console ended");
        }
    }
}
