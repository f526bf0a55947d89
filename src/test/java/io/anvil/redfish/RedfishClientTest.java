package io.anvil.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redfish client against a tiny Redfish service written here: sessions reused and renewed on 401, Basic auth,
 * bad credentials, retries on 5xx but not 4xx, the per-BMC cap, task monitors, AllowableValues, unreachable BMCs and
 * TLS verification (redfish_verify_ca true, false, a CA bundle); the password never appears in an error.
 */
class RedfishClientTest {
    private static final String PASSWORD = "s3cr3t-pw";
    private Vertx vertx;
    private RedfishClient client;
    private OnContext ctx;
    private final List<HttpServer> servers = new ArrayList<>();

    // the service's state
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger taskPolls = new AtomicInteger();
    private volatile boolean sessions = true;
    /** Where the service keeps its sessions (DSP0266's URI, or elsewhere as some older BMCs do). */
    private volatile String sessionsPath = RedfishClient.SESSIONS;

    private final AtomicInteger rootReads = new AtomicInteger();
    private volatile long systemDelayMs;
    private volatile String lastIfMatch;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = new RedfishClient(
                vertx,
                new RedfishClientOptions()
                        .setMaxInFlightPerBmc(2)
                        .setConnectionAttempts(3)
                        .setConnectionRetryInterval(Duration.ofMillis(20))
                        .setTaskPollInterval(Duration.ofMillis(20))
                        .setConnectTimeout(Duration.ofSeconds(2)));
        ctx = OnContext.of(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        get(client.close());
        for (HttpServer s : servers) {
            get(s.close());
        }
        get(vertx.close());
    }

    private <T> T get(Future<T> f) throws InterruptedException, ExecutionException, TimeoutException {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private <T> T call(java.util.function.Supplier<Future<T>> work) throws Exception {
        return get(ctx.call(work));
    }

    private Throwable failure(java.util.function.Supplier<Future<?>> work) throws Exception {
        try {
            get(ctx.call(work::get));
        } catch (ExecutionException e) {
            assertFalse(
                    String.valueOf(e.getCause().getMessage()).contains(PASSWORD),
                    e.getCause().getMessage());
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    private int listen(HttpServerOptions options, Consumer<HttpServerRequest> handler) throws Exception {
        HttpServer s = get(
                vertx.createHttpServer(options).requestHandler(handler::accept).listen(0, "127.0.0.1"));
        servers.add(s);
        return s.actualPort();
    }

    private void json(HttpServerRequest req, int status, JsonObject body) {
        req.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    private boolean authorised(HttpServerRequest req) {
        String token = req.getHeader("X-Auth-Token");
        if (token != null) {
            return tokens.containsKey(token);
        }
        String basic = req.getHeader("Authorization");
        return basic != null
                && basic.equals(
                        "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes()));
    }

    /** A one-system Redfish service. */
    private void service(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            String path = req.path();
            if (path.equals("/redfish/v1/")) {
                rootReads.incrementAndGet();
                JsonObject root = new JsonObject()
                        .put("@odata.id", "/redfish/v1/")
                        .put("Systems", new JsonObject().put("@odata.id", "/redfish/v1/Systems"));
                if (sessions) {
                    root.put("SessionService", new JsonObject().put("@odata.id", "/redfish/v1/SessionService"))
                            .put(
                                    "Links",
                                    new JsonObject().put("Sessions", new JsonObject().put("@odata.id", sessionsPath)));
                }
                json(req, 200, root);
                return;
            }
            if (sessions && path.equals(sessionsPath) && req.method().name().equals("POST")) {
                JsonObject creds = body.toJsonObject();
                if (!"admin".equals(creds.getString("UserName")) || !PASSWORD.equals(creds.getString("Password"))) {
                    json(req, 401, new JsonObject().put("error", new JsonObject().put("message", "nope")));
                    return;
                }
                String token = "tok-" + logins.incrementAndGet();
                tokens.put(token, true);
                req.response()
                        .putHeader("X-Auth-Token", token)
                        .putHeader("Location", "/redfish/v1/SessionService/Sessions/" + logins.get());
                json(
                        req,
                        201,
                        new JsonObject().put("@odata.id", "/redfish/v1/SessionService/Sessions/" + logins.get()));
                return;
            }
            if (!authorised(req)) {
                json(req, 401, new JsonObject());
                return;
            }
            if (failNext.get() > 0) {
                int code = failNext.getAndDecrement() > 100 ? 400 : 503;
                json(
                        req,
                        code,
                        new JsonObject()
                                .put(
                                        "error",
                                        new JsonObject()
                                                .put("message", "busy")
                                                .put(
                                                        "@Message.ExtendedInfo",
                                                        new JsonArray()
                                                                .add(new JsonObject().put("Message", "try later")))));
                return;
            }
            switch (path) {
                case "/redfish/v1/Systems" ->
                    json(
                            req,
                            200,
                            new JsonObject()
                                    .put(
                                            "Members",
                                            new JsonArray()
                                                    .add(new JsonObject().put("@odata.id", "/redfish/v1/Systems/1"))));
                case "/redfish/v1/Systems/1" -> {
                    if (req.method().name().equals("PATCH")) {
                        lastIfMatch = req.getHeader("If-Match");
                        req.response().setStatusCode(204).end();
                        return;
                    }
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                    vertx.setTimer(Math.max(1, systemDelayMs), id -> {
                        inFlight.decrementAndGet();
                        req.response().putHeader("ETag", "W/\"42\"");
                        json(
                                req,
                                200,
                                new JsonObject()
                                        .put("@odata.id", "/redfish/v1/Systems/1")
                                        .put("PowerState", "On")
                                        .put(
                                                "Actions",
                                                new JsonObject()
                                                        .put(
                                                                "#ComputerSystem.Reset",
                                                                new JsonObject()
                                                                        .put(
                                                                                "target",
                                                                                "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset")
                                                                        .put(
                                                                                "ResetType@Redfish.AllowableValues",
                                                                                new JsonArray()
                                                                                        .add("On")
                                                                                        .add("ForceOff")))));
                    });
                }
                case "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset" ->
                    req.response().setStatusCode(204).end();
                case "/redfish/v1/UpdateService/Actions/SimpleUpdate" -> {
                    req.response().putHeader("Location", "/redfish/v1/TaskService/Tasks/7/Monitor");
                    json(req, 202, new JsonObject());
                }
                case "/redfish/v1/TaskService/Tasks/7/Monitor" -> {
                    int n = taskPolls.incrementAndGet();
                    if (n < 3) {
                        json(req, 202, new JsonObject().put("TaskState", "Running"));
                    } else if ("fail".equals(body.length() == 0 ? failMode : failMode)) {
                        json(
                                req,
                                200,
                                new JsonObject()
                                        .put("TaskState", "Exception")
                                        .put("TaskStatus", "Critical")
                                        .put(
                                                "Messages",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put("Message", "Image checksum mismatch"))));
                    } else {
                        json(
                                req,
                                200,
                                new JsonObject().put("TaskState", "Completed").put("TaskStatus", "OK"));
                    }
                }
                default -> json(req, 404, new JsonObject().put("error", new JsonObject().put("message", "no " + path)));
            }
        });
    }

    private volatile String failMode = "ok";

    private RedfishTarget httpTarget(int port) {
        return RedfishTarget.of("http://127.0.0.1:" + port, "admin", PASSWORD);
    }

    @Test
    void aSessionIsReusedAndRenewedWhenTheBmcForgetsIt() throws Exception {
        RedfishTarget t = httpTarget(listen(new HttpServerOptions(), this::service));
        JsonObject sys = call(() -> client.system(t)).body();
        assertEquals("On", sys.getString("PowerState"));
        call(() -> client.system(t));
        assertEquals(1, logins.get(), "one login for many requests");
        tokens.clear(); // the session expired on the BMC
        assertEquals("On", call(() -> client.system(t)).body().getString("PowerState"));
        assertEquals(2, logins.get(), "a 401 logs in again once");
    }

    @Test
    void theLoginGoesStraightToTheStandardSessionUriAndTheRootIsReadOnlyWhenNeeded() throws Exception {
        int port = listen(new HttpServerOptions(), this::service);
        RedfishTarget known = httpTarget(port).withSystemId("/redfish/v1/Systems/1");
        assertEquals("On", call(() -> client.system(known)).body().getString("PowerState"));
        assertEquals(1, logins.get());
        assertEquals(0, rootReads.get(), "a login and the system GET, no service root");

        // a service keeping its sessions elsewhere: the standard URI is 404 (401 here: unauthenticated, unknown), so
        // the login follows the root's Links.Sessions
        sessionsPath = "/redfish/v1/Sessions";
        for (RedfishTarget.AuthType type : List.of(RedfishTarget.AuthType.SESSION, RedfishTarget.AuthType.AUTO)) {
            RedfishTarget elsewhere = RedfishTarget.of("http://localhost:" + port, "admin", PASSWORD)
                    .withAuthType(type)
                    .withSystemId("/redfish/v1/Systems/1");
            int before = logins.get();
            assertEquals("On", call(() -> client.system(elsewhere)).body().getString("PowerState"));
            assertEquals(before + 1, logins.get(), type + " logged in at the linked URI");
            call(() -> client.system(elsewhere));
            assertEquals(before + 1, logins.get(), type + ": the session is reused");
            client.forget(elsewhere);
        }
        assertTrue(rootReads.get() >= 1, "the root was read to find the sessions");
    }

    @Test
    void resultsComeBackOnTheCallersContextWhicheverEventLoopServesTheBmc() throws Exception {
        // BMCs are spread over all event loops; a caller's handlers must still run on the caller's own context
        List<RedfishTarget> bmcs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bmcs.add(httpTarget(listen(new HttpServerOptions(), this::service)));
        }
        List<Boolean> onCaller = get(ctx.call(() -> {
            io.vertx.core.Context caller = Vertx.currentContext();
            List<Future<Boolean>> all = new ArrayList<>();
            for (RedfishTarget t : bmcs) {
                all.add(client.system(t)
                        .map(r -> Vertx.currentContext() == caller
                                && "On".equals(r.body().getString("PowerState"))));
            }
            return Future.all(all).map(cf -> cf.<Boolean>list());
        }));
        assertEquals(8, onCaller.size());
        assertFalse(onCaller.contains(false), "every result on the caller's context: " + onCaller);
    }

    @Test
    void basicAuthAndAutoWithoutSessionService() throws Exception {
        sessions = false;
        int port = listen(new HttpServerOptions(), this::service);
        assertEquals("On", call(() -> client.system(httpTarget(port))).body().getString("PowerState"));
        assertEquals(0, logins.get());
        sessions = true;
        RedfishTarget basic = httpTarget(port).withAuthType(RedfishTarget.AuthType.BASIC);
        assertEquals("On", call(() -> client.system(basic)).body().getString("PowerState"));
        assertEquals(0, logins.get(), "basic never logs in");
    }

    @Test
    void badCredentialsAreNamed() throws Exception {
        int port = listen(new HttpServerOptions(), this::service);
        for (RedfishTarget.AuthType type : RedfishTarget.AuthType.values()) {
            RedfishTarget t = RedfishTarget.of("http://127.0.0.1:" + port, "admin", "wrong-" + PASSWORD)
                    .withAuthType(type);
            Throwable e = failure(() -> client.system(t));
            assertInstanceOf(RedfishException.BadCredentials.class, e, type + ": " + e);
            assertTrue(e.getMessage().contains("401") && e.getMessage().contains("'admin'"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-"), e.getMessage());
        }
    }

    @Test
    void fiveHundredsAreRetriedFourHundredsAreNot() throws Exception {
        RedfishTarget t = httpTarget(listen(new HttpServerOptions(), this::service));
        call(() -> client.system(t));
        failNext.set(2);
        long before = client.retries();
        assertEquals("On", call(() -> client.system(t)).body().getString("PowerState"));
        assertEquals(2, client.retries() - before);
        failNext.set(5);
        Throwable e = failure(() -> client.system(t));
        assertInstanceOf(RedfishException.HttpError.class, e);
        assertTrue(e.getMessage().contains("HTTP 503") && e.getMessage().contains("try later"), e.getMessage());
        failNext.set(101); // one 400
        before = client.retries();
        e = failure(() -> client.system(t));
        assertEquals(400, ((RedfishException.HttpError) e).httpStatus());
        assertEquals(before, client.retries(), "a 4xx is not retried");
    }

    @Test
    void oneBmcNeverSeesMoreThanTheCap() throws Exception {
        RedfishTarget t = httpTarget(listen(new HttpServerOptions(), this::service));
        call(() -> client.system(t));
        systemDelayMs = 30;
        List<Future<RedfishResponse>> all = new ArrayList<>();
        call(() -> {
            for (int i = 0; i < 20; i++) {
                all.add(client.system(t));
            }
            return Future.all(all);
        });
        assertEquals(2, maxInFlight.get(), "the governor's cap");
        assertEquals(2, client.maxInFlightObserved(t));
    }

    @Test
    void etagsGoIntoIfMatchAndActionsAreChecked() throws Exception {
        RedfishTarget t = httpTarget(listen(new HttpServerOptions(), this::service));
        RedfishResponse sys = call(() -> client.system(t));
        call(() -> client.patch(t, "/redfish/v1/Systems/1", new JsonObject().put("x", 1), sys.etag()));
        assertEquals("W/\"42\"", lastIfMatch);
        call(() -> client.action(
                t, sys.body(), "#ComputerSystem.Reset", "ResetType", new JsonObject().put("ResetType", "On")));
        Throwable e = failure(() -> client.action(
                t, sys.body(), "#ComputerSystem.Reset", "ResetType", new JsonObject().put("ResetType", "Nmi")));
        assertInstanceOf(RedfishException.Unsupported.class, e);
        assertTrue(e.getMessage().contains("Nmi") && e.getMessage().contains("ForceOff"), e.getMessage());
        e = failure(() -> client.action(t, sys.body(), "#ComputerSystem.Frobnicate", null, new JsonObject()));
        assertInstanceOf(RedfishException.Unsupported.class, e);
    }

    @Test
    void taskMonitorsAreFollowedAndFailuresCarryTheTaskMessages() throws Exception {
        RedfishTarget t = httpTarget(listen(new HttpServerOptions(), this::service));
        RedfishResponse done = call(() -> client.post(
                t,
                "/redfish/v1/UpdateService/Actions/SimpleUpdate",
                new JsonObject().put("ImageURI", "http://x/fw.bin")));
        assertEquals("Completed", done.body().getString("TaskState"));
        assertEquals(3, taskPolls.get());
        taskPolls.set(0);
        failMode = "fail";
        Throwable e = failure(() -> client.post(
                t,
                "/redfish/v1/UpdateService/Actions/SimpleUpdate",
                new JsonObject().put("ImageURI", "http://x/fw.bin")));
        assertInstanceOf(RedfishException.TaskFailed.class, e);
        assertTrue(
                e.getMessage().contains("Image checksum mismatch")
                        && e.getMessage().contains("Exception"),
                e.getMessage());
    }

    @Test
    void anUnreachableBmcIsNamedAfterTheRetries() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedfishTarget t = httpTarget(port);
        Throwable e = failure(() -> client.system(t));
        assertInstanceOf(RedfishException.Unreachable.class, e);
        assertTrue(
                e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("3 attempt"), e.getMessage());
    }

    @Test
    void tlsIsVerifiedByDefaultAndAgainstACaBundle() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        int port = listen(tls(cert), this::service);
        RedfishTarget t = RedfishTarget.of("https://localhost:" + port, "admin", PASSWORD);
        Throwable e = failure(() -> client.system(t));
        assertInstanceOf(RedfishException.CertificateError.class, e);
        assertTrue(e.getMessage().contains("redfish_verify_ca"), e.getMessage());
        assertEquals(
                "On",
                call(() -> client.system(t.withVerifyCa(cert.certificatePath())))
                        .body()
                        .getString("PowerState"));
        assertEquals(
                "On", call(() -> client.system(t.withVerifyCa("false"))).body().getString("PowerState"));
        SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
        e = failure(() -> client.system(t.withVerifyCa(other.certificatePath())));
        assertInstanceOf(RedfishException.CertificateError.class, e, "another CA does not vouch for this BMC");
    }

    @Test
    void aRememberedChainIsStillCheckedAgainstTheHostNameAndAChangedCertificateIsValidated() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        HttpServerOptions tls = tls(cert);
        int port = listen(tls, this::service);
        int second = listen(tls, this::service);
        RedfishTarget t =
                RedfishTarget.of("https://localhost:" + port, "admin", PASSWORD).withVerifyCa(cert.certificatePath());
        assertEquals("On", call(() -> client.system(t)).body().getString("PowerState"));
        long validated = client.chainValidations();
        // another BMC (port) at the same host name presenting the same chain: not validated again
        RedfishTarget t2 = RedfishTarget.of("https://localhost:" + second, "admin", PASSWORD)
                .withVerifyCa(cert.certificatePath());
        assertEquals("On", call(() -> client.system(t2)).body().getString("PowerState"));
        assertEquals(validated, client.chainValidations());
        assertEquals(1, client.verifiedChainHits());
        // the same chain reached by an address the certificate does not name: checked, and refused
        RedfishTarget byIp =
                RedfishTarget.of("https://127.0.0.1:" + port, "admin", PASSWORD).withVerifyCa(cert.certificatePath());
        Throwable e = failure(() -> client.system(byIp));
        assertInstanceOf(RedfishException.CertificateError.class, e, e.toString());
        assertEquals(validated + 1, client.chainValidations());
        // a BMC with another certificate (same name, same bundle trusting both): validated, not taken as the first
        SelfSignedCertificate renewed = SelfSignedCertificate.create("localhost");
        java.nio.file.Path bundle = java.nio.file.Files.createTempFile("redfish-ca-", ".pem");
        java.nio.file.Files.writeString(
                bundle,
                java.nio.file.Files.readString(java.nio.file.Path.of(cert.certificatePath()))
                        + java.nio.file.Files.readString(java.nio.file.Path.of(renewed.certificatePath())));
        int third = listen(tls(renewed), this::service);
        long before = client.chainValidations();
        assertEquals(
                "On",
                call(() -> client.system(RedfishTarget.of("https://localhost:" + third, "admin", PASSWORD)
                                .withVerifyCa(bundle.toString())))
                        .body()
                        .getString("PowerState"));
        assertEquals(before + 1, client.chainValidations());
        // and the first bundle, which does not trust the renewed certificate, refuses it
        e = failure(() -> client.system(RedfishTarget.of("https://localhost:" + third, "admin", PASSWORD)
                .withVerifyCa(cert.certificatePath())));
        assertInstanceOf(RedfishException.CertificateError.class, e, e.toString());
        // the JVM's trust store (remembered too) refuses the self-signed chain every time: a refusal is not remembered
        long jvm = client.chainValidations();
        RedfishTarget byJvm = RedfishTarget.of("https://localhost:" + port, "admin", PASSWORD);
        assertInstanceOf(RedfishException.CertificateError.class, failure(() -> client.system(byJvm)));
        assertInstanceOf(RedfishException.CertificateError.class, failure(() -> client.system(byJvm)));
        assertTrue(client.chainValidations() >= jvm + 2, "each refused handshake was validated");
    }

    /** A TLS server presenting {@code cert}. */
    private static HttpServerOptions tls(SelfSignedCertificate cert) {
        return new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(cert.certificatePath())
                        .setKeyPath(cert.privateKeyPath()));
    }
}
