package io.anvil.redfish;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anvil's non-blocking Redfish client (docs/redfish.md#client). One Vert.x web client per certificate policy (the
 * JVM's trust store, none, or a CA bundle) serves every BMC. Each BMC has a home event loop (its address's hash over
 * all of Vert.x's event loops): its connections, TLS and JSON decoding run there, so a sweep over thousands of BMCs
 * uses every core whichever context it is started from; results come back on the caller's context. TLS runs in
 * BoringSSL (netty-tcnative) when it is on the class path, in the JDK's SSLEngine otherwise.
 *
 * <ul>
 *   <li><b>Authentication</b> (redfish_auth_type, as Ironic's): {@code session} logs in at the session collection
 *       (DSP0266's fixed URI, else the service root's link) and reuses the {@code X-Auth-Token}, logging in again once
 *       when a request answers 401;
 *       {@code basic} sends HTTP Basic on every request; {@code auto} tries a session and falls back to Basic when the
 *       service has no SessionService or refuses the login for another reason than the credentials.</li>
 *   <li><b>Governor</b>: one FIFO queue per BMC (scheme://host:port) with {@code maxInFlightPerBmc} requests in
 *       flight.</li>
 *   <li><b>Retries</b>: a connection error, a timeout or a 5xx answer is retried {@code connectionAttempts} times in
 *       all, the wait doubling from {@code connectionRetryInterval}; a 4xx answer never is.</li>
 *   <li><b>Asynchronous operations</b>: a 202 answer with a Location is a task monitor, polled until the task ends;
 *       a task in Exception/Killed/Cancelled fails with its messages.</li>
 * </ul>
 * Every method may be called from any thread or context.
 */
public final class RedfishClient {
    private static final Logger LOG = LoggerFactory.getLogger(RedfishClient.class);
    private static final String ROOT = "/redfish/v1/";
    /** The session collection's URI, fixed by DSP0266. */
    static final String SESSIONS = "/redfish/v1/SessionService/Sessions";

    private static final Set<String> TASK_RUNNING =
            Set.of("New", "Starting", "Running", "Pending", "Stopping", "Suspended", "Service", "Interrupted");
    private static final Set<String> TASK_FAILED = Set.of("Exception", "Killed", "Cancelled");

    private final Vertx vertx;
    private final RedfishClientOptions options;
    private final Map<String, Future<WebClient>> clients = new ConcurrentHashMap<>();
    private final Map<String, Governor> governors = new ConcurrentHashMap<>();
    private final Map<String, Future<JsonObject>> roots = new ConcurrentHashMap<>();
    private final Map<String, Future<Auth>> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> systems = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong logins = new AtomicLong();
    /** A validated chain is trusted again without a new path validation at most this long (docs/redfish.md#client). */
    static final long VERIFIED_CHAIN_MAX_AGE_MS = 10 * 60 * 1000L;

    private final List<VerifiedChains> verifiedChains = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** One context per event loop; a BMC's exchanges run on {@code homes[hash(bmc) % homes.length]}. */
    private final ContextInternal[] homes;

    /** How one request authenticates: a header name and value, or none. */
    private record Auth(String header, String value, String sessionUri) {
        static final Auth NONE = new Auth(null, null, null);
    }

    public RedfishClient(Vertx vertx, RedfishClientOptions options) {
        this.vertx = vertx;
        this.options = options;
        VertxInternal internal = (VertxInternal) vertx;
        List<ContextInternal> loops = new ArrayList<>();
        internal.nettyEventLoopGroup()
                .forEach(loop -> loops.add(internal.contextBuilder()
                        .withEventLoop((io.netty.channel.EventLoop) loop)
                        .build()));
        this.homes = loops.toArray(ContextInternal[]::new);
    }

    /** Whether TLS runs in BoringSSL (netty-tcnative) rather than the JDK's SSLEngine. */
    public static boolean openSsl() {
        return OpenSSLEngineOptions.isAvailable();
    }

    public RedfishClientOptions options() {
        return options;
    }

    // ---- resources ----

    /** GET of a resource by its {@code @odata.id}. */
    public Future<RedfishResponse> get(RedfishTarget t, String path) {
        return request(t, HttpMethod.GET, path, null, null);
    }

    /** GET of a resource's body. */
    public Future<JsonObject> getJson(RedfishTarget t, String path) {
        return get(t, path).map(RedfishResponse::body);
    }

    /** The service root (cached per BMC; read without credentials, as the standard allows). */
    public Future<JsonObject> serviceRoot(RedfishTarget t) {
        return roots.computeIfAbsent(t.bmc(), k -> {
            Future<JsonObject> f =
                    exchange(t, HttpMethod.GET, ROOT, null, null, Auth.NONE).map(RedfishResponse::body);
            f.onFailure(e -> roots.remove(k));
            return f;
        });
    }

    /**
     * The {@code @odata.id} of the target's ComputerSystem: redfish_system_id, or the only member of the service's
     * Systems collection (an error naming the members when there are several, as sushy's).
     */
    public Future<String> systemPath(RedfishTarget t) {
        if (t.systemId() != null) {
            return Future.succeededFuture(t.systemId());
        }
        String cached = systems.get(t.bmc());
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        return serviceRoot(t)
                .compose(root -> {
                    String coll = odataId(root.getValue("Systems"));
                    if (coll == null) {
                        return Future.failedFuture(new RedfishException.Unsupported(
                                t.bmc(), "The Redfish service at " + t.bmc() + " has no Systems collection."));
                    }
                    return getJson(t, coll);
                })
                .compose(coll -> {
                    JsonArray members = coll.getJsonArray("Members", new JsonArray());
                    if (members.size() != 1) {
                        List<String> ids = new ArrayList<>();
                        members.forEach(m -> ids.add(odataId(m)));
                        return Future.failedFuture(new RedfishException(
                                t.bmc(),
                                "redfish_system_id is required: the Redfish service at " + t.bmc() + " has "
                                        + members.size() + " systems " + ids + "."));
                    }
                    String id = odataId(members.getValue(0));
                    systems.put(t.bmc(), id);
                    return Future.succeededFuture(id);
                });
    }

    /** The target's ComputerSystem resource (with its ETag). */
    public Future<RedfishResponse> system(RedfishTarget t) {
        return systemPath(t).compose(p -> get(t, p));
    }

    /** PATCH with {@code If-Match} (the resource's ETag, when the caller read one) so a concurrent change is not lost. */
    public Future<RedfishResponse> patch(RedfishTarget t, String path, JsonObject body, String etag) {
        return request(t, HttpMethod.PATCH, path, body, etag).compose(r -> followTask(t, r, "PATCH " + path));
    }

    /** POST of an action or a new member; a 202 is followed through its task monitor until the task ends. */
    public Future<RedfishResponse> post(RedfishTarget t, String path, JsonObject body) {
        return request(t, HttpMethod.POST, path, body, null).compose(r -> followTask(t, r, "POST " + path));
    }

    public Future<RedfishResponse> delete(RedfishTarget t, String path) {
        return request(t, HttpMethod.DELETE, path, null, null).compose(r -> followTask(t, r, "DELETE " + path));
    }

    /**
     * POSTs the action {@code name} of {@code resource} ({@code #ComputerSystem.Reset}, ...) with {@code body}. When
     * {@code param} is not null and the action lists {@code <param>@Redfish.AllowableValues}, a value outside them is
     * refused before anything is sent.
     */
    public Future<RedfishResponse> action(
            RedfishTarget t, JsonObject resource, String name, String param, JsonObject body) {
        JsonObject act = resource.getJsonObject("Actions", new JsonObject()).getJsonObject(name);
        if (act == null || act.getString("target") == null) {
            return Future.failedFuture(new RedfishException.Unsupported(
                    t.bmc(),
                    "The Redfish resource " + resource.getString("@odata.id") + " on BMC " + t.bmc()
                            + " does not offer the action " + name + "."));
        }
        if (param != null) {
            JsonArray allowed = act.getJsonArray(param + "@Redfish.AllowableValues");
            Object value = body.getValue(param);
            if (allowed != null && !allowed.contains(value)) {
                return Future.failedFuture(new RedfishException.Unsupported(
                        t.bmc(),
                        "The BMC " + t.bmc() + " does not support " + param + " " + value + " for " + name
                                + "; it allows " + allowed.encode() + "."));
            }
        }
        return post(t, act.getString("target"), body);
    }

    /** Requests sent (each try counts), retries, and session logins; for tests, metrics and the bench. */
    public long requests() {
        return requests.get();
    }

    public long retries() {
        return retries.get();
    }

    public long logins() {
        return logins.get();
    }

    /** The highest number of requests seen in flight at once to one BMC. */
    public int maxInFlightObserved(RedfishTarget t) {
        Governor g = governors.get(t.bmc());
        return g == null ? 0 : g.maxObserved();
    }

    /** Forgets the cached session, service root and system of a BMC (its address or credentials changed). */
    public void forget(RedfishTarget t) {
        roots.remove(t.bmc());
        systems.remove(t.bmc());
        sessions.remove(sessionKey(t));
    }

    public Future<Void> close() {
        List<Future<?>> all = new ArrayList<>(clients.values());
        return Future.join(all).<Void>mapEmpty().onComplete(v -> clients.values()
                .forEach(f -> f.onSuccess(WebClient::close)));
    }

    // ---- requests with authentication ----

    /** An authenticated request; with a session, a 401 logs in again once (the token expired or was deleted). */
    public Future<RedfishResponse> request(
            RedfishTarget t, HttpMethod method, String path, JsonObject body, String ifMatch) {
        return auth(t).compose(a -> exchange(t, method, path, body, ifMatch, a).recover(e -> {
                    if (e instanceof Status401 && a.sessionUri() != null) {
                        sessions.remove(sessionKey(t), sessions.get(sessionKey(t)));
                        return auth(t).compose(again -> exchange(t, method, path, body, ifMatch, again));
                    }
                    return Future.failedFuture(e);
                }))
                .recover(e -> Future.failedFuture(
                        e instanceof Status401 ? new RedfishException.BadCredentials(t.bmc(), t.username()) : e));
    }

    private static String sessionKey(RedfishTarget t) {
        return t.bmc() + "\n" + t.username() + "\n" + t.password().hashCode() + "\n" + t.authType();
    }

    private Future<Auth> auth(RedfishTarget t) {
        if (t.authType() == RedfishTarget.AuthType.BASIC) {
            return Future.succeededFuture(basic(t));
        }
        String key = sessionKey(t);
        return sessions.computeIfAbsent(key, k -> {
            Future<Auth> f = login(t);
            f.onFailure(e -> sessions.remove(k));
            return f;
        });
    }

    private static Auth basic(RedfishTarget t) {
        String creds = t.username() + ":" + t.password();
        return new Auth(
                "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(creds.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                null);
    }

    /**
     * Logs in. DSP0266 fixes the session collection's URI ({@value #SESSIONS}), so the first login to a BMC is a POST
     * there, without reading the service root first (a cold power sync is then a handshake, a login and the GET).
     * Any answer there but a session (404/405 from a service that keeps its sessions elsewhere, a 401 from one that
     * checks credentials before routing, ...) turns to the service root's {@code Links.Sessions}, as sushy and Ironic
     * find it; an unreachable BMC or a certificate error fails at once.
     */
    private Future<Auth> login(RedfishTarget t) {
        if (roots.containsKey(t.bmc())) {
            return loginThroughRoot(t, null);
        }
        return postSession(t, SESSIONS)
                .recover(e -> networkFailure(e) ? Future.failedFuture(e) : loginThroughRoot(t, e));
    }

    /**
     * Logs in at the service root's session collection; {@code standardFailure} is how a login at {@value #SESSIONS}
     * just failed (null: not tried), so that URI is not asked twice. {@code auto} falls back to Basic when the service
     * has no SessionService or refuses a session for another reason than the credentials.
     */
    private Future<Auth> loginThroughRoot(RedfishTarget t, Throwable standardFailure) {
        boolean auto = t.authType() == RedfishTarget.AuthType.AUTO;
        return serviceRoot(t).compose(root -> {
            String linked =
                    odataId(root.getJsonObject("Links", new JsonObject()).getValue("Sessions"));
            String sessionsPath = linked == null && root.getValue("SessionService") != null ? SESSIONS : linked;
            if (sessionsPath == null) {
                return auto
                        ? Future.succeededFuture(basic(t))
                        : Future.failedFuture(new RedfishException.Unsupported(
                                t.bmc(),
                                "redfish_auth_type is session but the Redfish service at " + t.bmc()
                                        + " has no SessionService."));
            }
            Future<Auth> session = standardFailure != null && sessionsPath.equals(SESSIONS)
                    ? Future.failedFuture(standardFailure)
                    : postSession(t, sessionsPath);
            return session.recover(e -> {
                if (e instanceof Status401 || !auto || networkFailure(e)) {
                    return Future.failedFuture(e);
                }
                // auto: a service that cannot make sessions is used with Basic, as sushy does
                return Future.succeededFuture(basic(t));
            });
        });
    }

    private static boolean networkFailure(Throwable e) {
        return e instanceof RedfishException.Unreachable || e instanceof RedfishException.CertificateError;
    }

    /** POST of the credentials to a session collection; the token is kept, never logged. */
    private Future<Auth> postSession(RedfishTarget t, String sessionsPath) {
        logins.incrementAndGet();
        JsonObject creds = new JsonObject().put("UserName", t.username()).put("Password", t.password());
        return exchange(t, HttpMethod.POST, sessionsPath, creds, null, Auth.NONE)
                .compose(r -> {
                    if (r.authToken() == null) {
                        return Future.failedFuture(new RedfishException(
                                t.bmc(),
                                "The Redfish service at " + t.bmc() + " created a session without an X-Auth-Token."));
                    }
                    String uri = r.location() != null ? r.location() : r.body().getString("@odata.id", sessionsPath);
                    return Future.succeededFuture(new Auth("X-Auth-Token", r.authToken(), uri));
                });
    }

    /** Thrown inside the client for a 401, turned into BadCredentials once re-login did not help. */
    private static final class Status401 extends RuntimeException {
        Status401() {
            super("401", null, false, false);
        }
    }

    // ---- one governed exchange with retries ----

    private Future<RedfishResponse> exchange(
            RedfishTarget t, HttpMethod method, String path, JsonObject body, String ifMatch, Auth auth) {
        Governor g = governors.computeIfAbsent(t.bmc(), k -> new Governor(options.maxInFlightPerBmc()));
        ContextInternal home = homes[Math.floorMod(t.bmc().hashCode(), homes.length)];
        return webClient(t)
                .compose(client ->
                        g.submit(() -> onHome(home, () -> attempt(client, t, method, path, body, ifMatch, auth, 1))));
    }

    /** Runs {@code work} on the BMC's home event loop; the result is delivered on the caller's context. */
    private <T> Future<T> onHome(ContextInternal home, Supplier<Future<T>> work) {
        ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
        if (caller == home) {
            return work.get();
        }
        PromiseInternal<T> result = caller.promise();
        home.runOnContext(v -> {
            try {
                work.get().onComplete(result);
            } catch (RuntimeException e) {
                result.fail(e);
            }
        });
        return result.future();
    }

    private Future<RedfishResponse> attempt(
            WebClient client,
            RedfishTarget t,
            HttpMethod method,
            String path,
            JsonObject body,
            String ifMatch,
            Auth auth,
            int tryNo) {
        requests.incrementAndGet();
        HttpRequest<Buffer> req = client.requestAbs(method, t.url(path))
                .putHeader("Accept", "application/json")
                .putHeader("OData-Version", "4.0")
                .idleTimeout(options.requestTimeout().toMillis());
        if (auth.header() != null) {
            req.putHeader(auth.header(), auth.value());
        }
        if (ifMatch != null) {
            req.putHeader("If-Match", ifMatch);
        }
        Future<HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendJsonObject(body);
        return sent.transform(ar -> {
            if (ar.failed()) {
                RedfishException mapped = connectionFailure(t, ar.cause());
                if (mapped instanceof RedfishException.CertificateError) {
                    return Future.failedFuture(mapped);
                }
                return retryOrFail(client, t, method, path, body, ifMatch, auth, tryNo, mapped);
            }
            HttpResponse<Buffer> r = ar.result();
            int status = r.statusCode();
            if (status == 401) {
                // credentials refused, or a session token the BMC no longer knows: request() decides which
                return Future.failedFuture(new Status401());
            }
            if (status >= 500) {
                return retryOrFail(
                        client,
                        t,
                        method,
                        path,
                        body,
                        ifMatch,
                        auth,
                        tryNo,
                        new RedfishException.HttpError(t.bmc(), method.name(), path, status, detail(r)));
            }
            if (status >= 400) {
                return Future.failedFuture(
                        new RedfishException.HttpError(t.bmc(), method.name(), path, status, detail(r)));
            }
            return Future.succeededFuture(toResponse(r));
        });
    }

    private Future<RedfishResponse> retryOrFail(
            WebClient client,
            RedfishTarget t,
            HttpMethod method,
            String path,
            JsonObject body,
            String ifMatch,
            Auth auth,
            int tryNo,
            RedfishException failure) {
        if (tryNo >= options.connectionAttempts()) {
            return Future.failedFuture(failure);
        }
        retries.incrementAndGet();
        long delay = Math.max(1, options.connectionRetryInterval().toMillis() << Math.min(tryNo - 1, 10));
        LOG.debug(
                "Redfish {} {} on {} failed (try {}): {}; retrying in {} ms",
                method,
                path,
                t.bmc(),
                tryNo,
                failure.getMessage(),
                delay);
        Promise<RedfishResponse> later = Promise.promise();
        vertx.setTimer(delay, id -> attempt(client, t, method, path, body, ifMatch, auth, tryNo + 1)
                .onComplete(later));
        return later.future();
    }

    private static RedfishResponse toResponse(HttpResponse<Buffer> r) {
        JsonObject json = new JsonObject();
        Buffer b = r.body();
        if (b != null && b.length() > 0) {
            try {
                if (firstNonBlank(b) == '{') {
                    json = b.toJsonObject();
                }
            } catch (RuntimeException e) {
                // not JSON (some BMCs answer an action with text): the status is what counts
            }
        }
        String etag = r.getHeader("ETag");
        if (etag == null && json.getString("@odata.etag") != null) {
            etag = json.getString("@odata.etag");
        }
        return new RedfishResponse(r.statusCode(), json, etag, r.getHeader("Location"), r.getHeader("X-Auth-Token"));
    }

    /** The body's first byte that is not white space (0: none), without decoding the whole body to a String. */
    private static byte firstNonBlank(Buffer b) {
        for (int i = 0; i < b.length(); i++) {
            byte c = b.getByte(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return c;
            }
        }
        return 0;
    }

    /** The BMC's own words: error.message and each @Message.ExtendedInfo Message. */
    private static String detail(HttpResponse<Buffer> r) {
        JsonObject body = toResponse(r).body();
        JsonObject err = body.getJsonObject("error");
        List<String> out = new ArrayList<>();
        if (err != null) {
            if (err.getString("message") != null) {
                out.add(err.getString("message"));
            }
            JsonArray info = err.getJsonArray("@Message.ExtendedInfo", new JsonArray());
            for (Object o : info) {
                if (o instanceof JsonObject m && m.getString("Message") != null) {
                    out.add(m.getString("Message"));
                }
            }
        }
        if (out.isEmpty() && r.statusMessage() != null) {
            out.add(r.statusMessage());
        }
        return String.join(" ", out);
    }

    private RedfishException connectionFailure(RedfishTarget t, Throwable e) {
        // a handshake that timed out or lost its connection is the network's fault (retried); a certificate the
        // trust store refuses, or one for another host name, is not
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof java.security.cert.CertificateException
                    || c instanceof SSLException
                            && (m.contains("PKIX")
                                    || m.contains("certificate")
                                    || m.contains("subject alternative")
                                    || m.contains("No name matching"))) {
                return new RedfishException.CertificateError(t.bmc(), String.valueOf(rootMessage(e)), e);
            }
        }
        String what;
        if (hasCause(e, UnknownHostException.class)) {
            what = "unknown host " + t.base().getHost();
        } else if (hasCause(e, ConnectException.class)) {
            what = "connection refused or unreachable (" + rootMessage(e) + ")";
        } else if (hasCause(e, TimeoutException.class)
                || String.valueOf(e.getMessage()).contains("timeout")) {
            what = "no answer within the timeout (" + rootMessage(e) + ")";
        } else {
            what = String.valueOf(rootMessage(e));
        }
        return new RedfishException.Unreachable(
                t.bmc(), what + " after " + options.connectionAttempts() + " attempt(s).", e);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    // ---- task monitors ----

    private Future<RedfishResponse> followTask(RedfishTarget t, RedfishResponse r, String what) {
        if (r.status() != 202 || r.location() == null) {
            return Future.succeededFuture(r);
        }
        long deadline = System.nanoTime() + options.taskTimeout().toNanos();
        return pollTask(t, r.location(), what, deadline);
    }

    private Future<RedfishResponse> pollTask(RedfishTarget t, String monitor, String what, long deadline) {
        Promise<RedfishResponse> p = Promise.promise();
        vertx.setTimer(options.taskPollInterval().toMillis(), id -> get(t, monitor)
                .compose(r -> {
                    JsonObject task = r.body();
                    String state = task.getString("TaskState");
                    if (state != null && TASK_FAILED.contains(state)
                            || "Critical".equals(task.getString("TaskStatus")) && !"Running".equals(state)) {
                        return Future.failedFuture(new RedfishException.TaskFailed(
                                t.bmc(), what + " (" + monitor + ")", state, messages(task)));
                    }
                    boolean running = r.status() == 202 || state != null && TASK_RUNNING.contains(state);
                    if (!running) {
                        return Future.succeededFuture(r);
                    }
                    if (System.nanoTime() > deadline) {
                        return Future.failedFuture(new RedfishException(
                                t.bmc(),
                                "Redfish task " + what + " (" + monitor + ") on BMC " + t.bmc()
                                        + " did not finish within "
                                        + options.taskTimeout().toSeconds()
                                        + " s; last state " + state + "."));
                    }
                    return pollTask(t, monitor, what, deadline);
                })
                .onComplete(p));
        return p.future();
    }

    private static String messages(JsonObject task) {
        List<String> out = new ArrayList<>();
        for (Object o : task.getJsonArray("Messages", new JsonArray())) {
            if (o instanceof JsonObject m && m.getString("Message") != null) {
                out.add(m.getString("Message"));
            }
        }
        return String.join(" ", out);
    }

    // ---- web clients per certificate policy ----

    private Future<WebClient> webClient(RedfishTarget t) {
        String key = "http".equals(t.base().getScheme()) ? "true" : t.verifyCa();
        return clients.computeIfAbsent(key, k -> {
            WebClientOptions o = new WebClientOptions()
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(
                            (int) Math.max(1, options.idleConnectionTimeout().toSeconds()))
                    .setConnectTimeout((int) options.connectTimeout().toMillis())
                    .setUserAgent("anvil-redfish")
                    .setFollowRedirects(false);
            if (openSsl()) {
                o.setSslEngineOptions(new OpenSSLEngineOptions());
            }
            // one connection per request the governor lets through, per BMC
            PoolOptions pool = new PoolOptions().setHttp1MaxSize(options.maxInFlightPerBmc());
            if ("false".equals(k)) {
                o.setTrustAll(true).setVerifyHost(false);
                return Future.succeededFuture(WebClient.create(vertx, o, pool));
            }
            if ("true".equals(k)) {
                if (options.verifiedChainCacheSize() == 0) {
                    return Future.succeededFuture(WebClient.create(vertx, o, pool));
                }
                // the JVM's trust store (javax.net.ssl.trustStore, else cacerts), as netty would load it: on a worker
                Future<WebClient> f = vertx.executeBlocking(() -> {
                    TrustManagerFactory jvm =
                            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    jvm.init((KeyStore) null);
                    TrustOptions remembering = rememberingChains(jvm);
                    return WebClient.create(vertx, remembering == null ? o : o.setTrustOptions(remembering), pool);
                });
                f.onFailure(e -> clients.remove(k));
                return f;
            }
            // a CA bundle (file, or a directory of PEM files): read on a worker, not on the event loop
            Future<WebClient> f = vertx.executeBlocking(() -> {
                PemTrustOptions trust = new PemTrustOptions();
                for (Buffer pem : readBundle(Path.of(k))) {
                    trust.addCertValue(pem);
                }
                TrustOptions remembering = options.verifiedChainCacheSize() == 0
                        ? null
                        : rememberingChains(trust.getTrustManagerFactory(vertx));
                return WebClient.create(vertx, o.setTrustOptions(remembering == null ? trust : remembering), pool);
            });
            f.onFailure(e -> clients.remove(k));
            return f.recover(e -> Future.failedFuture(new RedfishException.CertificateError(
                    t.bmc(), "cannot read the CA bundle " + k + " (" + e.getMessage() + ")", e)));
        });
    }

    /**
     * The policy's PKIX trust manager (a CA bundle's or the JVM's) behind a cache of the chains it accepted
     * ({@link VerifiedChains}); null when its trust manager is not an extended one (then the policy is used as is).
     */
    private TrustOptions rememberingChains(TrustManagerFactory factory) {
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                VerifiedChains chains = new VerifiedChains(
                        x, options.verifiedChainCacheSize(), VERIFIED_CHAIN_MAX_AGE_MS, System::currentTimeMillis);
                verifiedChains.add(chains);
                return TrustOptions.wrap(chains);
            }
        }
        return null;
    }

    /** Handshakes whose certificate chain was found already validated, over all policies (tests, the bench). */
    public long verifiedChainHits() {
        return verifiedChains.stream().mapToLong(VerifiedChains::hits).sum();
    }

    /** Handshakes whose certificate chain a policy's trust manager validated (tests, the bench). */
    public long chainValidations() {
        return verifiedChains.stream().mapToLong(VerifiedChains::validations).sum();
    }

    private static List<Buffer> readBundle(Path p) throws IOException {
        List<Buffer> out = new ArrayList<>();
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    String text = Files.readString(f);
                    if (text.contains("BEGIN CERTIFICATE")) {
                        out.add(Buffer.buffer(text));
                    }
                }
            }
        } else {
            out.add(Buffer.buffer(Files.readAllBytes(p)));
        }
        if (out.isEmpty()) {
            throw new IOException("no PEM certificate in " + p);
        }
        return out;
    }

    /** The {@code @odata.id} of a link ({@code {"@odata.id": "..."}}), or null. */
    public static String odataId(Object link) {
        return link instanceof JsonObject o ? o.getString("@odata.id") : null;
    }
}
