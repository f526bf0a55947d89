package io.anvil.api;

import io.anvil.auth.Authenticator;
import io.anvil.errors.AnvilException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * A console viewer that reached a conductor which does not hold the node's console is relayed to the conductor that
 * does (docs/console.md#ownership-and-take-over): this conductor opens the same stream on the owner's API with the
 * viewer's own credentials and copies frames both ways. The owner authenticates and authorizes the viewer again and
 * treats it as one viewer of its console, so the reader/writer rules, the idle timeout and the close reasons are the
 * owner's. No internal credential exists: {@value #HEADER} only marks a relayed request so that the owner never
 * relays it further (a client that sends it merely gets 503 instead of a relay), and it opens nothing.
 */
final class ConsoleRelay {
    /** Names the relaying conductor; a request carrying it is served locally or refused, never relayed again. */
    static final String HEADER = "X-Anvil-Console-Relay";

    /** What the owner needs to authenticate the viewer and answer in the same microversion. */
    private static final List<String> FORWARDED = List.of(
            "X-Auth-Token", "X-OpenStack-Ironic-API-Version", "OpenStack-API-Version", "X-Openstack-Request-Id");

    private final WebSocketClient client;
    private final String self;

    ConsoleRelay(Vertx vertx, String self, int bufferBytes) {
        this.self = self;
        // the owner's first frame is its whole ring buffer (console.buffer_bytes), larger than the default 64 KiB limit
        int frame = Math.max(65_536, bufferBytes + 1024);
        WebSocketClientOptions options = new WebSocketClientOptions()
                .setConnectTimeout(5_000)
                .setMaxFrameSize(frame)
                .setMaxMessageSize(Math.max(frame, 262_144));
        // with TLS, peers present this cluster's API certificate: trust exactly it (no public CA is involved)
        Authenticator.of(vertx)
                .map(Authenticator::settings)
                .filter(s -> s.tls())
                .ifPresent(s -> options.setTrustOptions(new PemTrustOptions().addCertPath(s.tlsCertFile()))
                        .setVerifyHost(false));
        this.client = vertx.createWebSocketClient(options);
    }

    /** Connects to {@code ownerUrl}'s stream first, so that its refusal becomes this request's answer. */
    void relay(RoutingContext ctx, String uuid, String owner, String ownerUrl) {
        HttpServerRequest req = ctx.request();
        WebSocketConnectOptions options;
        try {
            options = new WebSocketConnectOptions()
                    .setAbsoluteURI(ownerUrl.replaceFirst("^http", "ws") + "/v1/nodes/" + uuid + "/console");
        } catch (IllegalArgumentException e) {
            ctx.fail(refusal(uuid, owner, new IllegalArgumentException("bad API address " + ownerUrl)));
            return;
        }
        for (String name : FORWARDED) {
            String value = req.getHeader(name);
            if (value != null) {
                options.addHeader(name, value);
            }
        }
        // the header, or what a browser carried in Sec-WebSocket-Protocol (it cannot set headers): a header upstream
        String authorization = Authenticator.authorization(req);
        if (authorization != null) {
            options.addHeader("Authorization", authorization);
        }
        options.addHeader(HEADER, self);
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(refusal(uuid, owner, ar.cause()));
                return;
            }
            WebSocket upstream = ar.result();
            upstream.pause(); // the owner's first frames ("attached", the buffered screen) wait for the viewer
            req.toWebSocket()
                    .onSuccess(viewer -> {
                        pipe(viewer, upstream);
                        upstream.resume();
                    })
                    .onFailure(e -> {
                        upstream.close();
                        if (!ctx.response().ended()) {
                            ctx.fail(new AnvilException(400, "WebSocket upgrade failed: " + e.getMessage()));
                        }
                    });
        });
    }

    private static AnvilException refusal(String uuid, String owner, Throwable cause) {
        if (cause instanceof UpgradeRejectedException rejected && rejected.getStatus() != 503) {
            int status = rejected.getStatus();
            return new AnvilException(
                    status >= 400 && status < 500 ? status : 503,
                    "The console of node " + uuid + " is held by conductor " + owner + ", which refused it (" + status
                            + ").");
        }
        return new AnvilException(
                503,
                "The console of node " + uuid + " is held by conductor " + owner + ", which cannot serve it now ("
                        + (cause instanceof UpgradeRejectedException ? "starting or moving" : cause.getMessage())
                        + "); try again shortly.");
    }

    /** Frames both ways; output is dropped for a viewer too slow to keep up, as the owner does for its own viewers. */
    private static void pipe(ServerWebSocket viewer, WebSocket upstream) {
        upstream.binaryMessageHandler(b -> {
            if (!viewer.isClosed() && !viewer.writeQueueFull()) {
                viewer.writeBinaryMessage(b);
            }
        });
        upstream.textMessageHandler(t -> {
            if (!viewer.isClosed()) {
                viewer.writeTextMessage(t);
            }
        });
        upstream.closeHandler(v -> {
            if (!viewer.isClosed()) {
                viewer.close(sendable(upstream.closeStatusCode()), upstream.closeReason());
            }
        });
        upstream.exceptionHandler(e -> {
            if (!viewer.isClosed()) {
                viewer.close((short) 1011, "console relay lost");
            }
        });
        viewer.binaryMessageHandler(b -> {
            if (!upstream.isClosed()) {
                upstream.writeBinaryMessage(b);
            }
        });
        viewer.textMessageHandler(t -> {
            if (!upstream.isClosed()) {
                upstream.writeTextMessage(t);
            }
        });
        viewer.closeHandler(v -> {
            if (!upstream.isClosed()) {
                upstream.close();
            }
        });
        viewer.exceptionHandler(e -> {
            if (!upstream.isClosed()) {
                upstream.close();
            }
        });
    }

    /** RFC 6455 §7.4.1: 1005, 1006 and 1015 are never sent in a close frame. */
    private static short sendable(Short code) {
        if (code == null || code == 1005 || code == 1006 || code == 1015) {
            return 1000;
        }
        return code;
    }
}
