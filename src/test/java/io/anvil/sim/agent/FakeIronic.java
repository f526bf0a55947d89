package io.anvil.sim.agent;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Anvil's ramdisk endpoints, enough to drive a simulated agent through its own code paths: lookup by
 * MAC (a node per MAC, a token per node), heartbeats (202), iPXE scripts per MAC, and an inspection endpoint whose
 * answers a test scripts. Records what the agents sent.
 */
final class FakeIronic implements AutoCloseable {
    final Map<String, String> nodeByMac = new ConcurrentHashMap<>();
    final Map<String, String> tokenByNode = new ConcurrentHashMap<>();
    final Map<String, String> scripts = new ConcurrentHashMap<>();
    final Queue<Integer> inspectionAnswers = new ConcurrentLinkedQueue<>();
    final List<JsonObject> inspections = new CopyOnWriteArrayList<>();
    final List<String> lookups = new CopyOnWriteArrayList<>();
    final Map<String, Integer> heartbeats = new ConcurrentHashMap<>();
    volatile Boolean md5Enabled = false;
    /** Nodes whose token was already handed out: later lookups get "******", as Anvil's do. */
    final java.util.Set<String> tokenIssued = ConcurrentHashMap.newKeySet();

    volatile boolean maskReissuedTokens;
    private final HttpServer server;

    FakeIronic(Vertx vertx) throws Exception {
        server = vertx.createHttpServer()
                .requestHandler(this::route)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** A node owning {@code mac}; returns its UUID. */
    String enroll(String mac) {
        String uuid = UUID.randomUUID().toString();
        nodeByMac.put(mac, uuid);
        tokenByNode.put(uuid, UUID.randomUUID().toString().replace("-", "") + "0123456789abcdef");
        return uuid;
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        req.body().onSuccess(body -> {
            if (path.equals("/v1/lookup")) {
                lookups.add(req.query());
                String uuid = null;
                for (String mac : req.getParam("addresses", "").split(",")) {
                    uuid = uuid != null ? uuid : nodeByMac.get(mac);
                }
                if (uuid == null) {
                    json(req, 404, new JsonObject().put("error_message", "{\"faultstring\": \"Not Found\"}"));
                    return;
                }
                JsonObject config = new JsonObject()
                        .put("heartbeat_timeout", 1)
                        .put(
                                "agent_token",
                                maskReissuedTokens && !tokenIssued.add(uuid) ? "******" : tokenByNode.get(uuid))
                        .put("agent_token_required", true);
                if (md5Enabled != null) {
                    config.put("agent_md5_checksum_enable", md5Enabled);
                }
                json(
                        req,
                        200,
                        new JsonObject()
                                .put("node", new JsonObject().put("uuid", uuid))
                                .put("config", config));
            } else if (path.startsWith("/v1/heartbeat/")) {
                heartbeats.merge(path.substring("/v1/heartbeat/".length()), 1, Integer::sum);
                req.response().setStatusCode(202).end();
            } else if (path.startsWith("/boot/")) {
                String mac =
                        path.substring("/boot/".length()).replace(".ipxe", "").replace('-', ':');
                String script = scripts.get(mac);
                req.response()
                        .setStatusCode(script == null ? 404 : 200)
                        .end(script == null ? "#!ipxe\nexit 1\n" : script);
            } else if (path.equals("/v1/continue_inspection")) {
                inspections.add(body.toJsonObject());
                Integer status = inspectionAnswers.poll();
                int s = status == null ? 202 : status;
                String mac = body.toJsonObject().getString("boot_interface");
                json(req, s, s < 300 ? new JsonObject().put("uuid", nodeByMac.get(mac)) : new JsonObject());
            } else {
                req.response().setStatusCode(404).end();
            }
        });
    }

    private static void json(HttpServerRequest req, int status, JsonObject body) {
        req.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
