package io.anvil.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * {@code anvil serve --demo N}'s guided first run (docs/dashboard.md#the-guided-first-run): takes the simulated
 * {@code sim-<i>} nodes through manage → inspect → provide and deploys every second one, a few dozen at a time, so a
 * newcomer watching the dashboard sees nodes verify, inspect, clean and deploy. It is an API client like any other:
 * it follows the event feed ({@code GET /v1/events}) and asks for each node's next step when the feed shows the last
 * one finished, with no polling. A node that fails stays where it is, for the dashboard to show.
 */
final class DemoDriver {
    /** The nodes in flight at once: enough to look busy, few enough for a laptop's cores. */
    static final int DEFAULT_PARALLEL = 40;

    private static final String API_VERSION = "1.78";

    /** Where one node is in the tour. */
    enum Step {
        MANAGE("manage"),
        INSPECT("inspect"),
        PROVIDE("provide"),
        DEPLOY("active"),
        DONE(null);

        final String target;

        Step(String target) {
            this.target = target;
        }
    }

    /** One node's progress: the step asked last, the state it was asked in, whether the node left that state since. */
    private static final class Tour {
        final String uuid;
        final boolean deploy;
        Step asked;
        String askedIn;
        boolean moved;
        String state;
        String target;

        Tour(String uuid, boolean deploy) {
            this.uuid = uuid;
            this.deploy = deploy;
        }
    }

    private final Vertx vertx;
    private final int apiPort;
    private final int parallel;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final Map<String, Tour> tours = new HashMap<>();
    private final Queue<Tour> waiting = new ArrayDeque<>();
    private final Promise<Void> finished = Promise.promise();
    private final List<JsonObject> early = new ArrayList<>();
    private int running;
    private boolean listed;
    private WebSocket feed;

    private DemoDriver(Vertx vertx, int apiPort, int parallel) {
        this.vertx = vertx;
        this.apiPort = apiPort;
        this.parallel = parallel;
        this.http = vertx.createHttpClient();
        this.webSockets = vertx.createWebSocketClient();
    }

    /**
     * Starts the tour of the {@code sim-*} nodes of the Anvil on {@code apiPort}; the future completes when the feed
     * is followed and the first steps are asked. {@link #finished()} completes when every node is done.
     */
    static Future<DemoDriver> start(Vertx vertx, int apiPort, int parallel) {
        DemoDriver d = new DemoDriver(vertx, apiPort, parallel);
        Promise<DemoDriver> started = Promise.promise();
        // on one context: the feed's handler and the list's answer never run at the same time
        vertx.getOrCreateContext().runOnContext(v -> d.begin().map(d).onComplete(started));
        return started.future();
    }

    Future<Void> finished() {
        return finished.future();
    }

    Future<Void> close() {
        Future<Void> f = feed == null ? Future.succeededFuture() : feed.close();
        return f.eventually(http::close).eventually(webSockets::close);
    }

    private Future<Void> begin() {
        // the feed first (live), buffering, so a change made while the list loads is not missed
        return webSockets
                .connect(new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(apiPort)
                        .setURI("/v1/events?type=baremetal.node.provision_set.*"))
                .compose(ws -> {
                    feed = ws;
                    ws.textMessageHandler(text -> onFrame(new JsonObject(text)));
                    return list(null, new ArrayList<>());
                })
                .map(nodes -> {
                    for (JsonObject n : nodes) {
                        String name = n.getString("name");
                        if (name == null || !name.startsWith("sim-")) {
                            continue;
                        }
                        int index;
                        try {
                            index = Integer.parseInt(name.substring(4));
                        } catch (NumberFormatException e) {
                            continue;
                        }
                        Tour t = new Tour(n.getString("uuid"), index % 2 == 0);
                        t.state = n.getString("provision_state");
                        t.target = n.getString("target_provision_state");
                        tours.put(t.uuid, t);
                        waiting.add(t);
                    }
                    listed = true;
                    for (JsonObject ev : early) {
                        onFrame(ev);
                    }
                    early.clear();
                    fill();
                    return null;
                });
    }

    private Future<List<JsonObject>> list(String marker, List<JsonObject> out) {
        String uri = "/v1/nodes?limit=1000&fields=uuid,name,provision_state,target_provision_state"
                + (marker == null ? "" : "&marker=" + marker);
        return call(HttpMethod.GET, uri, null).compose(body -> {
            JsonArray nodes = body.getJsonArray("nodes");
            nodes.forEach(n -> out.add((JsonObject) n));
            return nodes.size() < 1000
                    ? Future.succeededFuture(out)
                    : list(nodes.getJsonObject(nodes.size() - 1).getString("uuid"), out);
        });
    }

    private void onFrame(JsonObject ev) {
        if (ev.containsKey("control")) {
            return;
        }
        if (!listed) {
            early.add(ev);
            return;
        }
        Tour t = tours.get(ev.getString("node_uuid"));
        JsonObject p = ev.getJsonObject("payload");
        if (t == null || p == null) {
            return;
        }
        t.state = p.getString("provision_state");
        t.target = p.getString("target_provision_state");
        if (t.asked != null && (t.target != null || !t.state.equals(t.askedIn))) {
            t.moved = true;
        }
        if (t.asked != null && t.moved && t.target == null) {
            next(t);
        }
    }

    /** Starts waiting nodes until {@link #parallel} are on tour. */
    private void fill() {
        while (running < parallel && !waiting.isEmpty()) {
            Tour t = waiting.poll();
            running++;
            next(t);
        }
        if (running == 0 && waiting.isEmpty()) {
            finished.tryComplete();
        }
    }

    /** The node is stable: ask its next step from the state it is in, or let it go. */
    private void next(Tour t) {
        Step step = stepFor(t);
        if (step == Step.DONE) {
            t.asked = Step.DONE;
            running--;
            fill();
            return;
        }
        t.asked = step;
        t.askedIn = t.state;
        t.moved = false;
        call(HttpMethod.PUT, "/v1/nodes/" + t.uuid + "/states/provision", new JsonObject().put("target", step.target))
                .onFailure(e -> {
                    // refused (another client moved it, or it is busy): this node's tour ends here
                    t.asked = Step.DONE;
                    running--;
                    fill();
                });
    }

    /** What a node in this (stable) state does next on the tour. */
    private static Step stepFor(Tour t) {
        String s = t.state == null ? "" : t.state;
        return switch (s) {
            case "enroll" -> Step.MANAGE;
            // a node the tour managed is inspected next; one it inspected (or found manageable) is provided
            case "manageable" -> t.asked == Step.MANAGE || t.asked == null ? Step.INSPECT : Step.PROVIDE;
            case "available" -> t.deploy && t.asked != Step.DEPLOY ? Step.DEPLOY : Step.DONE;
            default -> Step.DONE;
        };
    }

    private Future<JsonObject> call(HttpMethod method, String uri, JsonObject body) {
        return http.request(method, apiPort, "127.0.0.1", uri).compose(req -> {
            req.putHeader("X-OpenStack-Ironic-API-Version", API_VERSION);
            Future<io.vertx.core.http.HttpClientResponse> sent = body == null
                    ? req.send()
                    : req.putHeader("Content-Type", "application/json").send(body.toBuffer());
            return sent.compose(resp -> resp.body()
                    .compose(b -> resp.statusCode() < 300
                            ? Future.succeededFuture(b.length() == 0 ? new JsonObject() : b.toJsonObject())
                            : Future.failedFuture(method + " " + uri + ": " + resp.statusCode() + " " + b)));
        });
    }
}
