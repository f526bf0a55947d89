package io.anvil;

import io.anvil.api.ApiServices;
import io.anvil.api.ApiVerticle;
import io.anvil.cluster.ClusterRing;
import io.anvil.cluster.ConductorRegistry;
import io.anvil.cluster.NodeOwnership;
import io.anvil.conductor.Conductor;
import io.anvil.conductor.PowerActions;
import io.anvil.conductor.Provisioning;
import io.anvil.conductor.StepEngine;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.WorkerPool;
import io.anvil.conductor.steps.StepSettings;
import io.anvil.config.AnvilConfig;
import io.anvil.driver.DriverFactory;
import io.anvil.driver.HardwareTypes;
import io.anvil.driver.ipmi.IpmiManagement;
import io.anvil.driver.ipmi.IpmiPower;
import io.anvil.events.Outbox;
import io.anvil.health.Readiness;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.lock.LockOptions;
import io.anvil.lock.NodeLockService;
import io.anvil.lock.RedisTopology;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.MicrometerMetrics;
import io.anvil.secrets.SecretBox;
import io.anvil.secrets.SecretsConfig;
import io.anvil.store.Database;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.Migrations;
import io.anvil.store.ResourceStore;
import io.anvil.upkeep.ConductorPeriodics;
import io.anvil.upkeep.Drain;
import io.anvil.upkeep.StuckStates;
import io.anvil.upkeep.Takeover;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration → migrations → stores → conductor registration → API verticles.
 * Everything is wired here once; services talk through Futures. Ready only when every deployment succeeded.
 */
public final class Anvil {
    private static final Logger LOG = LoggerFactory.getLogger(Anvil.class);

    private final Vertx vertx;
    private final AnvilConfig config;
    private Database database;
    private SecretBox secrets;
    private ConductorRegistry registry;
    private NodeLockService locks;
    private IpmiClient ipmi;
    private io.anvil.redfish.RedfishClient redfish;
    private io.anvil.conductor.Consoles consoles;
    private String apiDeployment;
    /** Idempotent stop: the first call's future, returned to every later caller. */
    private Future<Void> stopped;

    private Conductor conductor;
    private ConductorPeriodics periodics;
    private ClusterRing ring;
    private Takeover takeover;
    private Drain drain;
    private Future<StuckStates.Result> stuckStates = Future.succeededFuture();
    private final List<ApiVerticle> apiInstances = new CopyOnWriteArrayList<>();
    private volatile boolean ready;
    private final AnvilMetrics metrics;
    private final Readiness readiness;
    // ---- agent API (issue 10; docs/agent.md)
    private io.anvil.agent.AgentService agent;
    private io.anvil.driver.agent.AgentClient agentClient;
    // ---- event feed (issue 12; docs/events.md)
    private io.anvil.events.EventFeed feed;
    private io.anvil.metrics.EventLoopLag loopLag;

    private Anvil(Vertx vertx, AnvilConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = config.metricsEnabled() ? new MicrometerMetrics() : AnvilMetrics.noop();
        // ready once every deployment succeeded and while PostgreSQL and Redis answer (docs/operations.md#health)
        this.readiness = new Readiness(() -> ready, READINESS_PROBE_TIMEOUT)
                .probe("postgresql", () -> database == null ? null : database.ping())
                .probe("redis", () -> locks == null ? null : locks.ping());
    }

    /** How long /health/ready waits for PostgreSQL's and Redis' answers before calling them not ready. */
    static final Duration READINESS_PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** Starts a conductor on {@code vertx}; database and Redis URLs must be resolved (not embedded) by now. */
    public static Future<Anvil> start(Vertx vertx, AnvilConfig config) {
        Anvil anvil = new Anvil(vertx, config);
        if (anvil.metrics.enabled()) {
            anvil.loopLag = io.anvil.metrics.EventLoopLag.start(vertx, anvil.metrics);
        }
        return anvil.boot().map(anvil);
    }

    private Future<Void> boot() {
        DatabaseUrl url = DatabaseUrl.parse(config.database().url());
        HardwareTypes hardwareTypes = new HardwareTypes(config.conductor().enabledHardwareTypes());
        // the secrets key first: without a usable one nothing starts (docs/security.md#secrets-at-rest)
        return vertx.executeBlocking(() -> secrets = SecretsConfig.load(config))
                // who may call the API (docs/security.md#authentication): a bad user file or key stops the start here
                .compose(box -> vertx.executeBlocking(
                        () -> io.anvil.auth.Authenticator.install(vertx, io.anvil.auth.ApiSecurity.from(config))))
                .compose(box -> vertx.executeBlocking(() -> Migrations.migrate(url)))
                .compose(applied -> {
                    if (applied > 0) {
                        LOG.info("Applied {} schema migration(s) to {}", applied, url);
                    }
                    database = Database.connect(
                            vertx,
                            url,
                            config.database().poolSize(),
                            config.database().pipelinedSize());
                    bindGroupCommitMetrics(database.groupCommit());
                    AnvilConfig.Conductor c = config.conductor();
                    registry = new ConductorRegistry(
                            vertx,
                            database,
                            c.hostname(),
                            c.group(),
                            hardwareTypes.all().stream().map(t -> t.name()).toList(),
                            AnvilConfig.Conductor.seconds(c.heartbeatInterval()),
                            AnvilConfig.Conductor.seconds(c.heartbeatTimeout()),
                            1 << c.hashPartitionExponent(),
                            AnvilConfig.Conductor.seconds(c.hashRingResetInterval()));
                    if (c.livenessPollInterval() > 0) {
                        registry.withLiveness(AnvilConfig.Conductor.seconds(c.livenessPollInterval()));
                    }
                    return registry.register();
                })
                // the feed's reader starts before anything writes events, so the first horizon is known early
                .compose(v -> io.anvil.events.EventFeed.start(
                                vertx, database, io.anvil.events.FeedSettings.from(config), metrics.feed())
                        .map(f -> feed = f))
                .compose(v -> hardwareTypes.get("ipmi").isPresent()
                        ? IpmiClient.create(vertx, ipmiClientOptions(config.ipmi()))
                                .map(c -> ipmi = c.withMetrics(metrics))
                        : Future.succeededFuture())
                .compose(v ->
                        NodeLockService.create(vertx, redisTopology(config.redis()), lockOptions(config.conductor())))
                .compose(lockService -> {
                    locks = lockService.withMetrics(metrics);
                    DriverFactory drivers = new DriverFactory(hardwareTypes)
                            .registerBios(
                                    "fake",
                                    new io.anvil.driver.fake.FakeBios(new io.anvil.store.BiosSettingsStore(database)));
                    drivers.registerBoot(
                            "ipxe", new io.anvil.driver.ipxe.IpxeBoot(io.anvil.driver.ipxe.IpxeSettings.from(config)));
                    if (ipmi != null) {
                        boolean disableBootTimeout = config.ipmi().disableBootTimeout();
                        drivers.registerPower("ipmitool", new IpmiPower(vertx, ipmi, disableBootTimeout))
                                .registerManagement("ipmitool", new IpmiManagement(ipmi, disableBootTimeout))
                                .registerVendor("ipmitool", new io.anvil.driver.ipmi.IpmiVendor(ipmi));
                    }
                    if (hardwareTypes.get("redfish").isPresent()) {
                        registerRedfish(drivers);
                    }
                    // agent API (issue 10): the direct deploy talks to ramdisk agents through one web client
                    agentClient = new io.anvil.driver.agent.AgentClient(
                            vertx, config.agent().commandTimeout());
                    drivers.registerDeploy("direct", new io.anvil.driver.agent.DirectDeploy(agentClient));
                    drivers.registerInspect(
                            "agent",
                            new io.anvil.driver.inspect.AgentInspect(
                                    drivers::bootFor, io.anvil.driver.inspect.InspectionSettings.from(config)));
                    drivers.registerRescue(
                            "agent",
                            new io.anvil.driver.agent.AgentRescue(
                                    vertx,
                                    agentClient,
                                    drivers::bootFor,
                                    io.anvil.driver.agent.RescuePasswordHash.Algorithm.fromSetting(
                                            config.setting("conductor.rescue_password_hash_algorithm")
                                                    .map(Object::toString)
                                                    .orElse("sha256"))));
                    ResourceStore store = new ResourceStore(database, secrets);
                    Outbox outbox = new Outbox(config.conductor().hostname()).onCommit(feed::committed);
                    WorkerPool workers = new WorkerPool(
                            config.conductor().workersPoolSize(),
                            config.conductor().reservedWorkersPoolPercentage());
                    workers.bindTo(metrics);
                    TaskManager tasks = new TaskManager(
                                    locks,
                                    store,
                                    drivers,
                                    workers,
                                    outbox,
                                    config.conductor().hostname())
                            .apiLockWait(AnvilConfig.Conductor.seconds(
                                    config.conductor().apiLockWait()));
                    StepEngine stepEngine = new StepEngine(StepSettings.from(config));
                    conductor = new Conductor(
                            tasks, new Provisioning(tasks, registry::conductorId, stepEngine), new PowerActions(tasks));
                    AnvilConfig.Conductor c = config.conductor();
                    ring = new ClusterRing(vertx, registry);
                    takeover = new Takeover(
                            vertx, tasks, ring, registry, AnvilConfig.Conductor.seconds(c.syncLocalStateInterval()));
                    drain = new Drain(
                            vertx, registry, tasks, AnvilConfig.Conductor.seconds(c.gracefulShutdownTimeout()));
                    takeover.start();
                    // allocations this conductor left allocating before a restart (Ironic's _resume_allocations)
                    new io.anvil.upkeep.OrphanAllocations(
                                    conductor.allocations(), AnvilConfig.Conductor.seconds(c.heartbeatTimeout()))
                            .resumeAtStart();
                    agent = new io.anvil.agent.AgentService(
                            vertx,
                            config.agent(),
                            store,
                            tasks,
                            drivers,
                            new io.anvil.conductor.AgentHeartbeats(tasks, stepEngine),
                            // the dashboard's live last-heartbeat column (docs/dashboard.md)
                            new io.anvil.agent.LivenessCoalescer.HeartbeatEvents(
                                    config.agent().heartbeatEventInterval(), outbox.publisher(), feed::committed));
                    agent.metrics().bindTo(metrics);
                    agent.start();
                    consoles = new io.anvil.conductor.Consoles(
                            vertx,
                            ipmi,
                            store,
                            ring,
                            tasks,
                            ((Number) config.setting("console.buffer_bytes").orElse(8192)).intValue());
                    ApiServices services =
                            new ApiServices(config, store, hardwareTypes, registry, outbox, conductor, agent, consoles);
                    return ring.start().compose(v -> {
                        // fenced and under the node locks, so it runs while the API already serves
                        stuckStates = new StuckStates(tasks, ring, AnvilConfig.Conductor.seconds(c.lockLease() + 2))
                                .correct();
                        return vertx.deployVerticle(
                                () -> {
                                    ApiVerticle verticle = new ApiVerticle(services, metrics, readiness);
                                    apiInstances.add(verticle);
                                    return verticle;
                                },
                                new DeploymentOptions()
                                        .setInstances(config.api().effectiveInstances()));
                    });
                })
                .compose(id -> {
                    apiDeployment = id;
                    LOG.info(
                            "Sockets: {} for HTTP, PostgreSQL and Redis; {} for IPMI",
                            vertx.isNativeTransportEnabled() ? "epoll" : "NIO",
                            io.anvil.util.DatagramTransport.name());
                    io.anvil.auth.Authenticator.of(vertx).ifPresent(a -> {
                        LOG.info(a.settings().describe(apiPort()));
                        if (a.settings().noauthInPublic()) {
                            LOG.warn(
                                    "API without authentication on {}, not a loopback address"
                                            + " (api.allow_noauth_on_public_address): anyone who reaches it is an admin",
                                    a.settings().host());
                        }
                    });
                    try {
                        periodics = ConductorPeriodics.create(vertx, config, conductor, ring, metrics);
                        periodics.scheduler().withMetrics(metrics.periodics());
                        periodics.scheduler().register(feed.retention());
                    } catch (RuntimeException e) {
                        return Future.failedFuture(e);
                    }
                    periodics.start();
                    // how peers reach this API: a viewer of a console held here may arrive through them
                    registry.advertise(advertisedApiUrl())
                            .onFailure(
                                    e -> LOG.warn("could not record this conductor's API address: {}", e.getMessage()));
                    // this conductor's consoles: open now (start, take-over) and kept in line with the ring
                    consoles.startReconciling(Math.round(Double.parseDouble(String.valueOf(
                                    config.setting("console.reconcile_interval").orElse(10)))
                            * 1000));
                    ready = true;
                    return Future.<Void>succeededFuture();
                });
    }

    /**
     * {@code conductor.api_url}, or this API's scheme, address and bound port; a wildcard address (every interface)
     * is replaced by {@code conductor.hostname}, the name peers know this conductor by.
     */
    private String advertisedApiUrl() {
        String configured = config.setting("conductor.api_url")
                .map(String::valueOf)
                .orElse("")
                .trim();
        if (!configured.isEmpty()) {
            return configured.replaceAll("/+$", "");
        }
        boolean tls = io.anvil.auth.Authenticator.of(vertx)
                .map(a -> a.settings().tls())
                .orElse(false);
        String host = config.api().host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = config.conductor().hostname();
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (tls ? "https://" : "http://") + host + ":" + apiPort();
    }

    /** Lease from conductor.lock_lease (seconds), renewed every third of it, with a safety margin of 1/15 (0.67 s of 10 s). */
    /** The [redis] section as a topology; a bad value fails start-up with the option's name. */
    public static RedisTopology redisTopology(AnvilConfig.Redis r) {
        RedisTopology.Mode mode = RedisTopology.Mode.parse(r.mode());
        List<String> endpoints = mode == RedisTopology.Mode.STANDALONE ? List.of(r.standaloneUrl()) : r.endpoints();
        return new RedisTopology(
                mode, endpoints, r.masterName(), r.waitReplicas(), AnvilConfig.Conductor.seconds(r.waitTimeout()));
    }

    static LockOptions lockOptions(AnvilConfig.Conductor c) {
        Duration lease = AnvilConfig.Conductor.seconds(c.lockLease());
        return LockOptions.defaults()
                .withLease(
                        lease,
                        lease.dividedBy(3),
                        lease.dividedBy(15).isZero() ? Duration.ofMillis(1) : lease.dividedBy(15));
    }

    /** The redfish hardware type's interfaces over one Redfish client (docs/redfish.md). */
    private void registerRedfish(DriverFactory drivers) {
        redfish = new io.anvil.redfish.RedfishClient(vertx, redfishClientOptions(config));
        io.anvil.redfish.RedfishTarget.AuthType auth;
        String authSetting = String.valueOf(config.setting("redfish.auth_type").orElse("auto"));
        try {
            auth = io.anvil.redfish.RedfishTarget.AuthType.valueOf(
                    authSetting.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AnvilConfig.ConfigException(
                    "redfish.auth_type must be basic, session or auto, got '" + authSetting + "'");
        }
        var nodes = new io.anvil.driver.redfish.RedfishNodes(vertx, redfish, auth);
        drivers.registerPower("redfish", new io.anvil.driver.redfish.RedfishPower(nodes))
                .registerManagement("redfish", new io.anvil.driver.redfish.RedfishManagement(nodes))
                .registerInspect("redfish", new io.anvil.driver.redfish.RedfishInspect(nodes))
                .registerBios(
                        "redfish",
                        new io.anvil.driver.redfish.RedfishBios(nodes, new io.anvil.store.BiosSettingsStore(database)))
                .registerBoot(
                        "redfish-virtual-media",
                        new io.anvil.driver.redfish.RedfishVirtualMediaBoot(
                                nodes,
                                String.valueOf(
                                        config.setting("redfish.deploy_iso").orElse("")),
                                String.valueOf(
                                        config.setting("redfish.rescue_iso").orElse("")),
                                this::agentApiUrl));
        drivers.registerRaid("redfish", new io.anvil.driver.redfish.RedfishRaid(nodes));
    }

    /** Where an agent booted from virtual media reaches the API: api.public_url, else this conductor's address. */
    private String agentApiUrl() {
        String pub = config.api().publicUrl();
        if (pub != null && !pub.isBlank()) {
            return pub.endsWith("/") ? pub.substring(0, pub.length() - 1) : pub;
        }
        String host = config.api().host();
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + apiPort();
    }

    /** The [redfish] section as client options; a bad value fails start-up with the option's name. */
    static io.anvil.redfish.RedfishClientOptions redfishClientOptions(AnvilConfig config) {
        try {
            return new io.anvil.redfish.RedfishClientOptions()
                    .setMaxInFlightPerBmc(
                            number(config, "redfish.max_in_flight_per_bmc").intValue())
                    .setConnectionAttempts(
                            number(config, "redfish.connection_attempts").intValue())
                    .setConnectionRetryInterval(seconds(config, "redfish.connection_retry_interval"))
                    .setRequestTimeout(seconds(config, "redfish.request_timeout"))
                    .setConnectTimeout(seconds(config, "redfish.connect_timeout"))
                    .setTaskPollInterval(seconds(config, "redfish.task_poll_interval"))
                    .setTaskTimeout(seconds(config, "redfish.task_timeout"))
                    .setIdleConnectionTimeout(seconds(config, "redfish.idle_connection_timeout"));
        } catch (IllegalArgumentException e) {
            throw new AnvilConfig.ConfigException("redfish: " + e.getMessage());
        }
    }

    private static Number number(AnvilConfig config, String key) {
        Object v = config.setting(key).orElseThrow();
        if (v instanceof Number n) {
            return n;
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new AnvilConfig.ConfigException("'" + key + "' must be a number, got '" + v + "'");
        }
    }

    private static Duration seconds(AnvilConfig config, String key) {
        return Duration.ofNanos(Math.round(number(config, key).doubleValue() * 1_000_000_000d));
    }

    /** The [ipmi] section as client options; a bad value fails start-up with the option's name. */
    static IpmiClientOptions ipmiClientOptions(AnvilConfig.Ipmi c) {
        try {
            return new IpmiClientOptions()
                    .setRetry(new RetryPolicy(c.retryTimeout(), c.retryIncrement(), c.retryMaxTries()))
                    .setHandshakeAttempts(c.handshakeAttempts())
                    .setMaxInFlightPerBmc(c.maxInFlightPerBmc())
                    .setMinCommandSpacing(c.minCommandSpacing())
                    .setCircuitFailureThreshold(c.circuitFailureThreshold())
                    .setCircuitCooldown(c.circuitCooldown())
                    .setKeepaliveInterval(c.keepaliveInterval())
                    .setSessionIdleClose(c.sessionIdleClose())
                    .setCloseTimeout(c.closeTimeout())
                    .setChannels(c.channels())
                    .setReceiveBufferSize(c.receiveBufferBytes())
                    .setBindHost(c.bindHost());
        } catch (IllegalArgumentException e) {
            throw new AnvilConfig.ConfigException("ipmi: " + e.getMessage());
        }
    }

    /** This conductor's ownership of nodes (the consistent hash ring); owns nothing while draining. */
    public NodeOwnership ownership() {
        return ring;
    }

    public ClusterRing ring() {
        return ring;
    }

    public ConductorRegistry registry() {
        return registry;
    }

    public Takeover takeover() {
        return takeover;
    }

    /** The start-up correction of stuck states (completes once every node it found was handled). */
    public Future<StuckStates.Result> stuckStates() {
        return stuckStates;
    }

    /** The routes the API serves (one API verticle's router; all are alike): access rules and docs are checked on them. */
    public List<io.vertx.ext.web.Route> apiRoutes() {
        return apiInstances.get(0).routes();
    }

    /** The port the API listens on (resolves port 0). */
    public int apiPort() {
        return apiInstances.get(0).actualPort();
    }

    public boolean ready() {
        return ready;
    }

    /** What this conductor measures ({@code GET /metrics}); a no-op when metrics.enabled is false. */
    public AnvilMetrics metrics() {
        return metrics;
    }

    /** The checks behind {@code GET /health/ready}. */
    public Readiness readiness() {
        return readiness;
    }

    public AnvilConfig config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    public Conductor conductor() {
        return conductor;
    }

    /** The serial consoles this conductor holds (null until started). */
    public io.anvil.conductor.Consoles consoles() {
        return consoles;
    }

    /** The ramdisk agent API's services: lookup, heartbeat intake, liveness, continuations (null until started). */
    public io.anvil.agent.AgentService agent() {
        return agent;
    }

    private void bindGroupCommitMetrics(io.anvil.store.GroupCommit group) {
        metrics.counter(
                "anvil.db.group_commit.batches",
                "batches of node writes committed together (one transaction, one commit each)",
                group,
                g -> g.batches());
        metrics.counter(
                "anvil.db.group_commit.batched", "node writes that went in such a batch", group, g -> g.batched());
        metrics.gauge(
                "anvil.db.group_commit.waiting", "node writes waiting now for the next batch", group, g -> g.waiting());
    }

    public Database database() {
        return database;
    }

    /** How this conductor seals and opens node secrets (null until started). */
    public SecretBox secrets() {
        return secrets;
    }

    /** The live event feed (null until started). */
    public io.anvil.events.EventFeed feed() {
        return feed;
    }

    /** The periodic tasks (null until started). */
    public ConductorPeriodics periodics() {
        return periodics;
    }

    /**
     * Graceful stop: stop periodics, drain (leave the rings with online=false, answer 503 to new work, wait — bounded
     * by graceful_shutdown_timeout — for running work), stop take-over, the ring and the keepalive, then the
     * API (no new requests), the IPMI client (closes every BMC session), the lock service and the pools.
     */
    public synchronized Future<Void> stop() {
        if (stopped == null) {
            stopped = doStop();
        }
        return stopped;
    }

    private Future<Void> doStop() {
        ready = false;
        // periodics stop first: they would keep taking node locks and the drain would never see this host idle
        Future<Void> quiet = periodics == null ? Future.succeededFuture() : periodics.stop();
        return quiet.compose(v -> drain == null
                        ? Future.succeededFuture()
                        : drain.run().<Void>mapEmpty().recover(e -> {
                            LOG.warn("drain: {}", e.toString());
                            return Future.succeededFuture();
                        }))
                .compose(v -> {
                    if (takeover != null) {
                        takeover.stop();
                    }
                    if (ring != null) {
                        ring.stop();
                    }
                    return registry == null ? Future.succeededFuture() : registry.unregister();
                })
                // feed subscribers get a "closing" message with where to resume before the API goes away
                .compose(v -> feed == null ? Future.succeededFuture() : feed.stop())
                .compose(v -> apiDeployment == null ? Future.succeededFuture() : vertx.undeploy(apiDeployment))
                // no heartbeat arrives any more: write the liveness still coalesced in memory
                .compose(v -> agent == null ? Future.succeededFuture() : agent.stop())
                .compose(v -> agentClient == null ? Future.succeededFuture() : agentClient.close())
                .compose(v -> consoles == null ? Future.succeededFuture() : consoles.close())
                .compose(v -> ipmi == null ? Future.succeededFuture() : ipmi.close())
                .compose(v -> redfish == null ? Future.succeededFuture() : redfish.close())
                .compose(v -> Future.join(
                        vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
                .compose(v -> locks == null ? Future.succeededFuture() : locks.close())
                .compose(v -> database == null ? Future.succeededFuture() : database.close())
                .onComplete(ar -> {
                    if (loopLag != null) {
                        loopLag.close();
                    }
                    if (metrics instanceof MicrometerMetrics m) {
                        m.close();
                    }
                })
                .recover(e -> {
                    LOG.warn("stop: {}", e.toString());
                    return Future.succeededFuture();
                })
                .mapEmpty();
    }
}
