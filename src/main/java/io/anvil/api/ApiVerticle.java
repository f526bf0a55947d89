package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.encoded;
import static io.anvil.api.Handlers.noContent;
import static io.anvil.api.Handlers.sync;

import io.anvil.api.ChildApi.Kind;
import io.anvil.auth.AuthHandler;
import io.anvil.auth.Authenticator;
import io.anvil.errors.AnvilException;
import io.anvil.health.Readiness;
import io.anvil.limits.RequestLimits;
import io.anvil.logging.LogContext;
import io.anvil.metrics.AnvilMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;

/**
 * Serves Ironic's v1 REST API. Deployed once per event loop from a supplier (Hono style); every instance shares
 * the listening port and the stores, and owns its router and conductor snapshot.
 */
public final class ApiVerticle extends VerticleBase {
    private final ApiServices services;
    private final AnvilMetrics metrics;
    private final Readiness readiness;
    private HttpServer server;
    private Router router;
    private ConductorCache conductorCache;

    /** Without metrics, and ready whenever it serves (for tests that mount the API alone). */
    public ApiVerticle(ApiServices services) {
        this(services, AnvilMetrics.noop(), new Readiness(() -> true, Duration.ofSeconds(2)));
    }

    public ApiVerticle(ApiServices services, AnvilMetrics metrics, Readiness readiness) {
        this.services = services;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    @Override
    public Future<?> start() {
        conductorCache = new ConductorCache(services.conductors());
        router = router();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(services.config().api().host())
                .setPort(services.config().api().port())
                .setCompressionSupported(false)
                .setTcpNoDelay(true)
                // a browser's WebSocket carries its credential as a second subprotocol; this one is selected
                // (docs/dashboard.md#authentication)
                .setWebSocketSubProtocols(java.util.List.of(Authenticator.WEBSOCKET_PROTOCOL));
        // TLS with the configured certificate (docs/security.md#tls)
        Authenticator.of(vertx).ifPresent(a -> a.settings().apply(options));
        server = vertx.createHttpServer(options);
        return conductorCache.start(vertx).compose(v -> server.requestHandler(router)
                .listen());
    }

    /** The port actually bound (useful with port 0 in tests). */
    public int actualPort() {
        return server.actualPort();
    }

    /** The routes mounted: each access rule (io.anvil.auth.Policy) and the OpenAPI document are checked against them. */
    public java.util.List<io.vertx.ext.web.Route> routes() {
        return router.getRoutes();
    }

    @Override
    public Future<?> stop() {
        conductorCache.stop(vertx);
        RequestLimits.release(vertx, services);
        return server == null ? Future.succeededFuture() : server.close();
    }

    Router router() {
        NodeApi nodes = new NodeApi(services, conductorCache);
        ChildApi children = new ChildApi(services, nodes);
        DiscoveryApi discovery = new DiscoveryApi(services, conductorCache);
        ApiErrors errors = new ApiErrors();

        Router r = Router.router(vertx);
        // request id, log fields and HTTP metrics first, so every answer (errors included) carries and counts them
        RequestTracking tracking = new RequestTracking(metrics.http());
        r.route().handler(tracking);
        r.route().handler(Requests::wellFormed);
        r.route().handler(ApiVerticle::negotiateVersion);
        // per-client rate limits before any body is buffered; JSON depth right after it is (docs/api.md#limits)
        RequestLimits limits = RequestLimits.of(vertx, services, services.config(), metrics);
        r.route().handler(limits::rateLimit);
        // who calls, and may they (docs/security.md#roles): after the address rate limit (it spares bcrypt), before
        // any body is read and before every route
        AuthHandler auth = AuthHandler.create(vertx, services.store().database());
        r.route().handler(auth);
        // bodies only where a method carries one: GETs (the hot path) skip the buffering handler entirely
        BodyHandler bodies =
                BodyHandler.create(false).setBodyLimit(services.config().api().maxBodyBytes());
        r.route().handler(ctx -> {
            HttpMethod m = ctx.request().method();
            if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH) {
                bodies.handle(ctx);
            } else {
                ctx.next();
            }
        });
        r.route().handler(limits::jsonDepth);
        r.route().handler(auth::checkBody);
        r.route().failureHandler(errors);
        // a draining conductor (graceful stop) starts no new work: writes get 503 and clients retry on a peer
        r.route().handler(ctx -> {
            HttpMethod m = ctx.request().method();
            if (services.conductors().draining()
                    && m != HttpMethod.GET
                    && m != HttpMethod.HEAD
                    && m != HttpMethod.OPTIONS) {
                ctx.fail(AnvilException.unavailable(
                        "Conductor " + services.conductors().hostname()
                                + " is shutting down and accepts no new work. Please retry."));
            } else {
                ctx.next();
            }
        });
        // the agents' heartbeats are the hottest route (docs/agent.md): first, so the router does not try every other
        // route's path pattern on each of them first
        AgentApi agentApi = new AgentApi(services, vertx.getOrCreateContext());
        r.post("/v1/heartbeat/:node_ident").handler(noContent(agentApi::heartbeat, 202));
        // Ironic's get_rpc_node: names are identifiers only from 1.5 (before that a name is simply not found), and a
        // string that is neither a UUID nor a valid logical name is 400 rather than 404
        r.routeWithRegex("^/v1/nodes/([^/]+)(/.*)?$").handler(ctx -> {
            String ident = ctx.pathParam("param0");
            boolean collectionWord = "detail".equals(ident) || "validate".equals(ident);
            if (!collectionWord || ctx.pathParam("param1") != null) {
                NodeApi.checkIdent(ident, Requests.version(ctx));
                LogContext.node(ident);
            }
            ctx.next();
        });
        r.errorHandler(404, errors);
        r.errorHandler(405, errors);
        r.errorHandler(500, errors);

        // oslo.middleware's healthcheck, as Ironic serves it when enabled: load balancers stop sending work to a
        // conductor that is shutting down (its writes would get 503 anyway)
        r.get("/healthcheck").handler(ctx -> {
            boolean draining = services.conductors().draining();
            ctx.response()
                    .setStatusCode(draining ? 503 : 200)
                    .putHeader("Content-Type", "text/plain")
                    .end(draining ? "DRAINING" : "OK");
        });
        // browsers asking for HTML get the dashboard; every other client Ironic's root document (docs/dashboard.md)
        DashboardApi dashboard = new DashboardApi(vertx);
        dashboard.mount(r);
        r.get("/").handler(sync(discovery::root));
        r.get("/v1").handler(sync(discovery::v1));
        r.get("/v1/").handler(sync(discovery::v1));

        r.get("/v1/nodes").handler(encoded(ctx -> nodes.list(ctx, false)));
        r.post("/v1/nodes").handler(async(nodes::create));
        r.get("/v1/nodes/detail").handler(encoded(ctx -> nodes.list(ctx, true)));
        ManagementApi management = new ManagementApi(services, nodes);
        r.get("/v1/nodes/validate").handler(async(management::validateByQuery)); // before :node takes the word
        r.get("/v1/nodes/:node").handler(encoded(nodes::showEncoded));
        r.patch("/v1/nodes/:node").handler(async(nodes::patch));
        r.delete("/v1/nodes/:node").handler(noContent(nodes::delete, 204));
        r.get("/v1/nodes/:node/states").handler(async(nodes::states));
        ProvisionApi provision = new ProvisionApi(services, nodes);
        r.put("/v1/nodes/:node/states/provision").handler(noContent(provision::setProvisionState, 202));
        r.put("/v1/nodes/:node/states/power").handler(noContent(provision::setPowerState, 202));
        r.put("/v1/nodes/:node/management/boot_device").handler(noContent(provision::setBootDevice, 204));
        r.get("/v1/nodes/:node/management/boot_device").handler(async(provision::getBootDevice));
        r.get("/v1/nodes/:node/management/boot_device/supported").handler(async(provision::supportedBootDevices));
        r.get("/v1/nodes/:node/lock").handler(async(provision::lock));
        HistoryApi history = new HistoryApi(services, nodes);
        r.get("/v1/nodes/:node/history").handler(async(history::list));
        r.get("/v1/nodes/:node/history/:event").handler(async(history::show));
        r.put("/v1/nodes/:node/maintenance").handler(noContent(ctx -> nodes.setMaintenance(ctx, true), 202));
        r.delete("/v1/nodes/:node/maintenance").handler(noContent(ctx -> nodes.setMaintenance(ctx, false), 202));

        for (Kind kind : Kind.values()) {
            String coll = "/v1/" + kind.path;
            r.get(coll).handler(async(ctx -> children.list(ctx, kind, false, null)));
            r.get(coll + "/detail").handler(async(ctx -> children.list(ctx, kind, true, null)));
            r.post(coll).handler(async(ctx -> children.create(ctx, kind)));
            r.get(coll + "/:id").handler(async(ctx -> children.show(ctx, kind)));
            r.patch(coll + "/:id").handler(async(ctx -> children.patch(ctx, kind)));
            r.delete(coll + "/:id").handler(noContent(ctx -> children.delete(ctx, kind), 204));
            String sub = "/v1/nodes/:node/" + kind.path;
            r.get(sub).handler(async(ctx -> children.list(ctx, kind, false, ctx.pathParam("node"))));
            r.get(sub + "/detail").handler(async(ctx -> children.list(ctx, kind, true, ctx.pathParam("node"))));
        }
        for (boolean detail : new boolean[] {false, true}) {
            r.get("/v1/portgroups/:pg/ports" + (detail ? "/detail" : "")).handler(async(ctx -> {
                if (!Requests.version(ctx).atLeast(24)) {
                    throw AnvilException.notFound("The resource could not be found.");
                }
                ctx.queryParams().add("portgroup", ctx.pathParam("pg"));
                return children.list(ctx, Kind.PORT, detail, null);
            }));
        }
        r.get("/v1/volume").handler(sync(ctx -> volumeRoot(ctx, null)));
        r.get("/v1/nodes/:node/volume").handler(async(ctx -> nodes.load(ctx.pathParam("node"))
                .map(n -> volumeRoot(ctx, n.getString("uuid")))));

        // Ironic's other resources: each API class mounts its own routes (one class per resource, see Handlers)
        new ConsoleApi(services, nodes).mount(r);
        // (mount lines go here)
        new WhoAmIApi(vertx).mount(r);
        new OpenApiApi().mount(r);
        management.mount(r);
        new ChassisApi(services, nodes).mount(r);
        new TraitsApi(services, nodes).mount(r);
        new VifApi(services).mount(r);
        new AllocationApi(services).mount(r);
        new DeployTemplateApi(services).mount(r);
        io.anvil.events.EventFeed.of(vertx).ifPresent(feed -> new EventsApi(feed).mount(r));

        // the ramdisk agent's endpoints (docs/agent.md)
        r.get("/v1/lookup").handler(async(agentApi::lookup));
        r.post("/v1/continue_inspection").handler(async(new InspectionApi(services)::continueInspection));

        r.get("/v1/drivers").handler(sync(discovery::drivers));
        r.get("/v1/drivers/:driver").handler(sync(discovery::driver));
        r.get("/v1/drivers/:driver/properties").handler(sync(discovery::driverProperties));
        r.get("/v1/conductors").handler(sync(discovery::conductors));
        r.get("/v1/conductors/:hostname").handler(sync(discovery::conductor));

        // ---- issue 11 groundwork: iPXE scripts for booting machines, node inventory ----
        BootApi boot = new BootApi(services);
        r.get("/boot/boot.ipxe").handler(boot::chainLoader);
        r.get("/boot/:file").handler(boot::forMac);
        InventoryApi inventory = new InventoryApi(services, nodes);
        r.get("/v1/nodes/:node/inventory").handler(async(inventory::show));

        // the operator's view: /metrics, /health/live, /health/ready (docs/operations.md)
        new OpsApi(vertx, metrics, readiness).mount(r);
        tracking.bind(r);
        auth.bind(r);
        return r;
    }

    private JsonObject volumeRoot(RoutingContext ctx, String nodeUuid) {
        if (!Requests.version(ctx).atLeast(32)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
        String base = Links.base(ctx, services.config().api().publicUrl());
        String prefix = nodeUuid == null ? "volume" : "nodes/" + nodeUuid + "/volume";
        return new JsonObject()
                .put("links", Links.of(base, prefix))
                .put("connectors", Links.of(base, prefix + "/connectors"))
                .put("targets", Links.of(base, prefix + "/targets"));
    }

    /** Microversion negotiation; the min/max headers go on every response, errors included. */
    private static void negotiateVersion(RoutingContext ctx) {
        ctx.response()
                .putHeader(ApiVersion.MIN_HEADER, ApiVersion.MIN.toString())
                .putHeader(ApiVersion.MAX_HEADER, ApiVersion.MAX.toString());
        ApiVersion v;
        try {
            v = ApiVersion.of(ctx.request());
        } catch (AnvilException e) {
            ctx.fail(e);
            return;
        }
        ctx.put(Requests.VERSION_KEY, v);
        ctx.response()
                .putHeader(ApiVersion.HEADER, v.toString())
                .putHeader(ApiVersion.GENERIC_HEADER, "baremetal " + v);
        ctx.next();
    }
}
