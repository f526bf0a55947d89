package io.anvil.sim.redfish;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fleet of simulated Redfish BMCs in one process (docs/redfish.md, "Simulator").
 *
 * <pre>{@code
 * RedfishFleet fleet = RedfishFleet.start(vertx, new RedfishFleetOptions().count(100).basePort(0)).await…;
 * SimulatedRedfishBmc bmc = fleet.bmc(0);   // bmc.address() "https://127.0.0.1:…", bmc.systemPath(), bmc.power()
 * fleet.caFile();                           // the CA to verify the BMCs with (redfish_verify_ca)
 * bmc.faults(RedfishFaults.NONE.withUnavailableRate(0.5));
 * fleet.close();
 * }</pre>
 *
 * <p><b>Layout.</b> One HTTP(S) server per BMC, BMC i on {@code basePort + i}: a real BMC is one address and port, and
 * every client (sushy, Anvil) sees exactly that. The servers are spread over {@code eventLoops} Vert.x contexts (one
 * deployed verticle instance each); each BMC's state lives on its server's context, so requests need no locks and
 * the fleet uses every core it is given. An idle BMC costs its listening socket, its server object and a few
 * hundred bytes of state (maps and lists appear on first use); the TLS context is built once and shared by every
 * server. All servers share one request handler ({@link RedfishHandler}) that renders resources per request.
 */
public final class RedfishFleet {
    private final Vertx vertx;
    private final RedfishFleetOptions options;
    private final RedfishHandler handler;
    private final AtomicReferenceArray<SimulatedRedfishBmc> bmcs;
    private final SecureRandom random = new SecureRandom();
    private final long startNanos = System.nanoTime();
    private volatile RedfishFaults faults = RedfishFaults.NONE;
    private volatile long startupNanos;
    private RedfishTls tls;
    private SharedKeyManager keyManager;
    /** One SSL context for all the fleet's servers. */
    private final SharedSslEngine sslEngine = new SharedSslEngine();

    private Path caFile;
    private HttpClient fetcher;
    private String deploymentId;

    private RedfishFleet(Vertx vertx, RedfishFleetOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.handler = new RedfishHandler(this);
        this.bmcs = new AtomicReferenceArray<>(options.count());
    }

    /**
     * Makes the TLS material (unless given or plain HTTP), binds every BMC and completes when all listen, or fails —
     * with every server closed — when one cannot bind. Generating keys happens on a worker thread.
     */
    public static Future<RedfishFleet> start(Vertx vertx, RedfishFleetOptions options) {
        RedfishFleetOptions o = new RedfishFleetOptions(options);
        try {
            o.validate();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        RedfishFleet fleet = new RedfishFleet(vertx, o);
        return vertx.executeBlocking(() -> {
                    fleet.prepareTls();
                    return fleet;
                })
                .compose(RedfishFleet::bindAll);
    }

    private void prepareTls() {
        if (!options.tls()) {
            return;
        }
        try {
            if (options.certFile() != null) {
                tls = new RedfishTls(null, Files.readString(options.certFile()), Files.readString(options.keyFile()));
                keyManager = SharedKeyManager.of(tls.certPem(), tls.keyPem());
                return;
            }
            List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
            List<String> names = new ArrayList<>(List.of("localhost"));
            String host = options.host();
            if (isIpLiteral(host)) {
                if (!ips.contains(host) && !host.equals("0.0.0.0")) {
                    ips.add(host);
                }
            } else if (!names.contains(host)) {
                names.add(0, host);
            }
            tls = RedfishTls.generate(ips, names, 30);
            keyManager = SharedKeyManager.of(tls.certPem(), tls.keyPem());
            caFile = Files.createTempFile("anvil-sim-redfish-ca-", ".pem");
            caFile.toFile().deleteOnExit();
            Files.writeString(caFile, tls.caPem());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the simulator's certificates: " + e, e);
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private Future<RedfishFleet> bindAll() {
        fetcher = vertx.createHttpClient(
                new HttpClientOptions()
                        .setSsl(false)
                        .setTrustAll(true)
                        .setVerifyHost(false)
                        .setConnectTimeout(10_000)
                        .setKeepAlive(false),
                new PoolOptions().setHttp1MaxSize(64));
        int loops = Math.min(options.eventLoops(), options.count());
        AtomicInteger next = new AtomicInteger();
        return vertx.deployVerticle(
                        () -> new Servers(next.getAndIncrement(), loops), new DeploymentOptions().setInstances(loops))
                .map(id -> {
                    deploymentId = id;
                    startupNanos = System.nanoTime() - startNanos;
                    return this;
                })
                .recover(e -> closeFetcher().transform(x -> Future.failedFuture(e)));
    }

    /** One verticle instance: the servers of BMCs {@code slot}, {@code slot + loops}, … on its context. */
    private final class Servers extends VerticleBase {
        private static final int BATCH = 50;
        private final int slot;
        private final int loops;
        private final List<HttpServer> servers = new ArrayList<>();
        private HttpServerOptions serverOptions;

        Servers(int slot, int loops) {
            this.slot = slot;
            this.loops = loops;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setHost(options.host())
                    .setTcpNoDelay(true)
                    .setIdleTimeout(300)
                    .setCompressionSupported(false);
            if (tls != null) {
                serverOptions
                        .setSsl(true)
                        .setKeyCertOptions(keyManager.keyCertOptions())
                        .setSslEngineOptions(sslEngine);
            }
            this.serverOptions = serverOptions;
            Promise<Void> all = Promise.promise();
            bindFrom(slot, new ArrayList<>(), all);
            return all.future();
        }

        /**
         * Binds the next {@link #BATCH} of this instance's BMCs, then yields the event loop before the next batch:
         * creating thousands of servers in one go would block it for seconds.
         */
        private void bindFrom(int first, List<Future<?>> bound, Promise<Void> all) {
            int i = first;
            for (int n = 0; n < BATCH && i < options.count(); n++, i += loops) {
                SimulatedRedfishBmc bmc = new SimulatedRedfishBmc(RedfishFleet.this, i, systemIdOf(i), context);
                bmcs.set(i, bmc);
                HttpServer server = vertx.createHttpServer(serverOptions)
                        .connectionHandler(c -> {
                            bmc.connected(c);
                            sslEngine.count(c);
                        })
                        .requestHandler(req -> handler.handle(bmc, req));
                servers.add(server);
                int port = options.basePort() == 0 ? 0 : options.basePort() + i;
                bound.add(
                        server.listen(port, options.host()).onSuccess(s -> bmc.bound(options.host(), s.actualPort())));
            }
            if (i < options.count()) {
                int next = i;
                context.runOnContext(v -> bindFrom(next, bound, all));
            } else {
                Future.all(bound).<Void>mapEmpty().onComplete(all);
            }
        }

        @Override
        public Future<?> stop() {
            List<Future<?>> closed = new ArrayList<>();
            for (HttpServer s : servers) {
                closed.add(s.close());
            }
            return Future.join(closed);
        }
    }

    private String systemIdOf(int index) {
        return options.systemIds() == RedfishFleetOptions.SystemIds.ONE ? "1" : Hardware.systemUuid(index);
    }

    /** Stops every server (open connections are closed). */
    public Future<Void> close() {
        Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
        return undeployed.eventually(this::closeFetcher);
    }

    private Future<Void> closeFetcher() {
        return fetcher == null ? Future.succeededFuture() : fetcher.close();
    }

    // ---- the fleet ----

    public int size() {
        return options.count();
    }

    public SimulatedRedfishBmc bmc(int index) {
        return bmcs.get(index);
    }

    public RedfishFleetOptions options() {
        return options;
    }

    public boolean tls() {
        return options.tls();
    }

    /** The PEM file of the CA that signed the BMCs' certificate (null: plain HTTP or certificates given). */
    public Path caFile() {
        return caFile;
    }

    /** The CA's PEM text (null: plain HTTP or certificates given). */
    public String caPem() {
        return tls == null ? null : tls.caPem();
    }

    public Duration startupTime() {
        return Duration.ofNanos(startupNanos);
    }

    /** Fleet-wide faults (a BMC's own, if set, win). */
    public RedfishFaults faults() {
        return faults;
    }

    public void faults(RedfishFaults f) {
        faults = f == null ? RedfishFaults.NONE : f;
    }

    /** "https://127.0.0.1:8443..8452" or one address. */
    public String describe() {
        SimulatedRedfishBmc first = bmc(0);
        SimulatedRedfishBmc last = bmc(size() - 1);
        if (size() == 1) {
            return first.address();
        }
        return first.address() + " .. " + last.address();
    }

    /**
     * TLS handshakes the fleet's servers completed so far, and how many of them resumed an earlier session (a TLS 1.3
     * ticket); null over plain HTTP or with the JDK's engine, which keeps no such counters.
     */
    public TlsHandshakes tlsHandshakes() {
        return tls == null ? null : sslEngine.handshakes();
    }

    /** Client connections open now, over every BMC. */
    public int openConnections() {
        int n = 0;
        for (int i = 0; i < size(); i++) {
            SimulatedRedfishBmc b = bmc(i);
            n += b == null ? 0 : b.openConnections();
        }
        return n;
    }

    /** Requests answered by every BMC so far. */
    public long totalRequests() {
        long n = 0;
        for (int i = 0; i < size(); i++) {
            SimulatedRedfishBmc b = bmc(i);
            n += b == null ? 0 : b.requests();
        }
        return n;
    }

    Vertx vertx() {
        return vertx;
    }

    String newToken() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * What the BMC's firmware does with an image URL (virtual media, firmware update): a GET that must answer 2xx;
     * the body is not read (a real BMC streams it as the host reads it). Fails with the reason otherwise.
     */
    Future<Void> fetch(String url) {
        Promise<Void> done = Promise.promise();
        RequestOptions request;
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return Future.failedFuture("not an http(s) URL: " + url);
            }
            boolean https = "https".equals(uri.getScheme());
            request = new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost(uri.getHost())
                    .setPort(uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80)
                    .setSsl(https)
                    .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                    .setTimeout(30_000);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture("not a URL: " + url);
        }
        fetcher.request(request).compose(req -> req.send()).onComplete(ar -> {
            if (ar.failed()) {
                done.fail(
                        ar.cause().getMessage() == null
                                ? ar.cause().toString()
                                : ar.cause().getMessage());
                return;
            }
            int status = ar.result().statusCode();
            ar.result().request().connection().close();
            if (status / 100 == 2) {
                done.complete();
            } else {
                done.fail("HTTP " + status);
            }
        });
        return done.future();
    }
}
