package io.anvil.sim.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated ramdisk agents (docs/agent.md) in one process, talking to Anvil over HTTP only: one shared HTTP
 * server answers every agent's command API, path-routed ({@code /agents/<index>/v1/commands/}), and serves the
 * fleet's deterministic images ({@code /images/<name>}, {@link ImageServer}); one pooled HTTP client carries their
 * iPXE script fetches, inspections, lookups and heartbeats, one WebClient their image downloads. Everything runs on
 * one Vert.x context.
 *
 * <pre>{@code
 * AgentFleet fleet = AgentFleet.start(vertx, AgentFleetOptions.defaults("http://127.0.0.1:6385")).await…;
 * SimulatedAgent a = fleet.add(List.of(AgentFleet.macFor(0)));
 * a.pxeBoot();  // iPXE script from Anvil, then (inspection,) lookup by MAC, heartbeats; a.boot() skips the script
 * String image = fleet.imageUrl("os-1m.img");   // deployable, checksum AgentFleet.sha256Of("os-1m.img")
 * a.disk().imageId();                           // what the agent wrote
 * a.stop();     // the machine powers off; its disk stays
 * }</pre>
 */
public final class AgentFleet {
    private static final Logger LOG = LoggerFactory.getLogger(AgentFleet.class);
    /** What the simulated agents report as agent_version. */
    public static final String VERSION = "10.0.0.anvil-sim";
    /** Connections the fleet's agents share to Anvil (at most; opened as needed). */
    static final int MAX_CONNECTIONS = 1024;

    /** A command-API answer; {@link #DROP} closes the connection (nothing listens there). */
    record Reply(int status, JsonObject body) {
        static final Reply DROP = new Reply(0, null);
    }

    /** An answer from Anvil. */
    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final AgentFleetOptions options;
    private final HttpClient client;
    private final WebClient web;
    private final ImageServer images;
    private final Map<Integer, SimulatedAgent> agents = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger nextIndex = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong commandsReceived =
            new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong commandPolls = new java.util.concurrent.atomic.AtomicLong();
    private volatile String anvilUrl;
    private HttpServer server;
    private String baseUrl;

    private AgentFleet(Vertx vertx, Context context, AgentFleetOptions options) {
        this.vertx = vertx;
        this.context = context;
        this.options = options;
        this.anvilUrl = trimSlash(options.anvilUrl());
        // every real agent has its own connections: a small shared pool would queue a thousand machines' script
        // fetches, lookups and heartbeats behind each other and measure the pool, not Anvil
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
        this.web = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setConnectTimeout((int) Math.min(
                                Integer.MAX_VALUE,
                                options.imageDownloadTimeout().toMillis()))
                        .setUserAgent("python-requests/2.32.3 (anvil-sim ironic-python-agent)"));
        this.images = new ImageServer(vertx);
    }

    /** Binds the shared command-API server; completes when it listens. */
    public static Future<AgentFleet> start(Vertx vertx, AgentFleetOptions options) {
        Context context = vertx.getOrCreateContext();
        AgentFleet fleet = new AgentFleet(vertx, context, options);
        Promise<AgentFleet> p = Promise.promise();
        context.runOnContext(v -> {
            fleet.server = vertx.createHttpServer().requestHandler(fleet::route);
            fleet.server
                    .listen(options.port(), options.host())
                    .onSuccess(s -> {
                        fleet.baseUrl = "http://" + options.host() + ":" + s.actualPort();
                        p.complete(fleet);
                    })
                    .onFailure(p::fail);
        });
        return p.future();
    }

    /** The MAC address simulated node {@code index} gets (a locally administered range). */
    public static String macFor(int index) {
        return String.format("52:54:00:%02x:%02x:%02x", (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff);
    }

    /** Points every agent at another Anvil API (a load balancer moving them to a surviving conductor). */
    public void anvilUrl(String url) {
        anvilUrl = trimSlash(url);
    }

    /** Anvil's API as the fleet knows it (agents booted without an iPXE script talk to it). */
    public String anvilUrl() {
        return anvilUrl;
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    // ---- images ----

    /** The URL of deterministic image {@code name} on this fleet's server (see {@link ImageServer}). */
    public String imageUrl(String name) {
        return baseUrl + "/images/" + name;
    }

    /** The SHA-256 hex digest of image {@code name} (computed on the calling thread: not on an event loop). */
    public static String sha256Of(String name) {
        return ImageServer.digest(name, "SHA-256");
    }

    /** The MD5 hex digest of image {@code name} (computed on the calling thread). */
    public static String md5Of(String name) {
        return ImageServer.digest(name, "MD5");
    }

    /** The SHA-512 hex digest of image {@code name} (computed on the calling thread). */
    public static String sha512Of(String name) {
        return ImageServer.digest(name, "SHA-512");
    }

    /** {@code instance_info} fields that deploy image {@code name} with its SHA-256 checksum. */
    public JsonObject instanceInfoFor(String name) {
        return new JsonObject()
                .put("image_source", imageUrl(name))
                .put("image_os_hash_algo", "sha256")
                .put("image_os_hash_value", sha256Of(name));
    }

    /** A new agent (not booted) for a machine with these MACs; its index routes its command API. */
    public SimulatedAgent add(List<String> macs) {
        while (true) {
            int index = nextIndex.getAndIncrement();
            SimulatedAgent a = new SimulatedAgent(this, index, macs, VERSION);
            if (agents.putIfAbsent(index, a) == null) {
                return a;
            }
        }
    }

    /**
     * The agent of machine {@code index}, made on first use with these MACs: a simulator that numbers its machines
     * (the Redfish BMCs) gets agents with the same numbers, so their inventories ({@link Inventory}) agree with what
     * the BMC reports.
     */
    public SimulatedAgent agentAt(int index, List<String> macs) {
        return agents.computeIfAbsent(index, i -> new SimulatedAgent(this, i, macs, VERSION));
    }

    /** Agent {@code index} (as returned by {@link #add}), or null. */
    public SimulatedAgent agent(int index) {
        return agents.get(index);
    }

    public int size() {
        return agents.size();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.actualPort();
    }

    public AgentFleetOptions options() {
        return options;
    }

    /** Requests to run a command (POST .../v1/commands) that reached a serving agent, over the fleet's life. */
    public long commandsReceived() {
        return commandsReceived.get();
    }

    /** Requests for command results (GET .../v1/commands...) that reached a serving agent. */
    public long commandPolls() {
        return commandPolls.get();
    }

    public Future<Void> close() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            agents.values().forEach(SimulatedAgent::stop);
            web.close();
            Future.join(server == null ? Future.succeededFuture() : server.close(), client.close())
                    .<Void>mapEmpty()
                    .onComplete(p);
        });
        return p.future();
    }

    // ---- shared by the agents ----

    Vertx vertx() {
        return vertx;
    }

    Context context() {
        return context;
    }

    WebClient web() {
        return web;
    }

    void timer(long ms, Runnable r) {
        vertx.setTimer(Math.max(1, ms), id -> context.runOnContext(v -> r.run()));
    }

    void log(SimulatedAgent a, String what) {
        LOG.debug("agent {} ({}): {}", a.index(), a.macs(), what);
    }

    /** A request to Anvil at {@code base} with the microversion IPA sends; never fails for an HTTP error status. */
    Future<Response> request(String base, HttpMethod method, String uri, String version, JsonObject body) {
        RequestOptions o = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(trimSlash(base) + uri)
                .setTimeout(30_000);
        if (version != null) {
            o.putHeader("X-OpenStack-Ironic-API-Version", version);
        }
        return send(o, body);
    }

    /** A POST of JSON to an absolute URL (inspection data), as IPA's requests session sends it. */
    Future<Response> requestAbsolute(HttpMethod method, String url, JsonObject body) {
        return send(
                new RequestOptions()
                        .setMethod(method)
                        .setAbsoluteURI(url)
                        .putHeader("Accept", "application/json")
                        .setTimeout(30_000),
                body);
    }

    private Future<Response> send(RequestOptions o, JsonObject body) {
        if (body != null) {
            o.putHeader("Content-Type", "application/json");
        }
        return client.request(o)
                .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
                .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString())));
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        if (path.startsWith("/images/")) {
            images.handle(req, path.substring("/images/".length()));
            return;
        }
        if (!path.startsWith("/agents/")) {
            reply(req, new Reply(404, new JsonObject().put("faultstring", "Not Found")));
            return;
        }
        int slash = path.indexOf('/', 8);
        SimulatedAgent agent = null;
        try {
            agent = agents.get(Integer.parseInt(slash < 0 ? path.substring(8) : path.substring(8, slash)));
        } catch (NumberFormatException e) {
            // unknown agent
        }
        if (agent == null) {
            reply(req, new Reply(404, new JsonObject().put("faultstring", "No such agent")));
            return;
        }
        SimulatedAgent a = agent;
        String rest = slash < 0 ? "/" : path.substring(slash);
        if (rest.startsWith("/v1/commands") && a.serving()) {
            (req.method() == io.vertx.core.http.HttpMethod.POST ? commandsReceived : commandPolls).incrementAndGet();
        }
        Map<String, String> query = new java.util.HashMap<>();
        req.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        req.body()
                .compose(b -> a.handle(req.method(), rest, query, b))
                .onComplete(ar -> reply(
                        req,
                        ar.succeeded()
                                ? ar.result()
                                : new Reply(
                                        500,
                                        new JsonObject()
                                                .put("faultcode", "Server")
                                                .put("faultstring", String.valueOf(ar.cause())))));
    }

    private static void reply(HttpServerRequest req, Reply r) {
        if (r == Reply.DROP) {
            req.connection().close();
            return;
        }
        Buffer b = r.body().toBuffer();
        req.response()
                .setStatusCode(r.status())
                .putHeader("Content-Type", "application/json")
                .end(b);
    }
}
