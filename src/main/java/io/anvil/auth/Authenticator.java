package io.anvil.auth;

import io.anvil.config.AnvilConfig.ConfigException;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a request's credentials into a {@link Caller}: HTTP basic against the htpasswd file, or a bearer token
 * ({@code Authorization: Bearer}, or Keystone's {@code X-Auth-Token}) against the JWT keys. One per process, in the
 * Vert.x instance's shared data ({@link #of}), so every API event loop shares its {@link CredentialCache}; bcrypt and
 * signature checks run on worker threads, never on an event loop. A refusal never says whether the user exists.
 */
public final class Authenticator implements Shareable {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final String MAP = "anvil.authenticator";
    private static final String KEY = "authenticator";
    private static final String REALM = "realm=\"Baremetal API\"";

    private final Vertx vertx;
    private final ApiSecurity settings;
    private final Htpasswd users;
    private final Map<String, Caller> basicRoles;
    private final JwtVerifier jwt;
    private final CredentialCache cache;

    private Authenticator(Vertx vertx, ApiSecurity settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.users = settings.strategy() == ApiSecurity.Strategy.HTTP_BASIC
                ? Htpasswd.load(Path.of(settings.userFile()))
                : null;
        this.basicRoles = users == null ? Map.of() : basicRoles(settings.basicRoles(), users);
        this.jwt = settings.strategy() == ApiSecurity.Strategy.JWT ? new JwtVerifier(settings.jwt()) : null;
        this.cache = new CredentialCache(settings.cacheTtl().toNanos(), settings.cacheSize());
    }

    /**
     * Reads the user file or keys (blocking: call on a worker) and registers the result for the API verticles; a
     * configuration error stops the start with its message.
     */
    public static Authenticator install(Vertx vertx, ApiSecurity settings) {
        Authenticator a = new Authenticator(vertx, settings);
        LocalMap<String, Authenticator> map = vertx.sharedData().getLocalMap(MAP);
        map.put(KEY, a);
        return a;
    }

    /** The process's authenticator; empty when the API runs without one (tests that mount it alone: noauth). */
    public static Optional<Authenticator> of(Vertx vertx) {
        LocalMap<String, Authenticator> map = vertx.sharedData().getLocalMap(MAP);
        return Optional.ofNullable(map.get(KEY));
    }

    public ApiSecurity settings() {
        return settings;
    }

    /** Verified callers held by the cache (for tests and metrics). */
    int cached() {
        return cache.size();
    }

    /** The caller the request's credentials name; fails with a 401 carrying {@code WWW-Authenticate}. */
    Future<Caller> authenticate(HttpServerRequest req) {
        return switch (settings.strategy()) {
            case NOAUTH -> Future.succeededFuture(Caller.NOAUTH);
            case HTTP_BASIC -> basic(authorization(req));
            case JWT -> bearer(req);
        };
    }

    /** The subprotocol a browser's WebSocket asks for beside its credential; the server selects it (ApiVerticle). */
    public static final String WEBSOCKET_PROTOCOL = "anvil.v1";
    /** The prefix of the subprotocol entry that carries a browser WebSocket's {@code Authorization} value. */
    public static final String WEBSOCKET_CREDENTIAL = "anvil.auth.";

    /**
     * The request's {@code Authorization} header; for a WebSocket upgrade without one, the value a browser carried
     * in {@code Sec-WebSocket-Protocol} as {@code anvil.auth.<base64url of the header value>} (browsers cannot set
     * headers on a WebSocket, docs/dashboard.md#authentication). Only upgrades read it: a plain request must
     * use the header, so the subprotocol cannot become a second, unnoticed way to log in.
     */
    public static String authorization(HttpServerRequest req) {
        String header = req.getHeader("Authorization");
        if (header != null || !"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            return header;
        }
        String protocols = req.getHeader("Sec-WebSocket-Protocol");
        if (protocols == null) {
            return null;
        }
        for (String p : protocols.split(",")) {
            String entry = p.strip();
            if (entry.startsWith(WEBSOCKET_CREDENTIAL)) {
                try {
                    return new String(
                            Base64.getUrlDecoder().decode(entry.substring(WEBSOCKET_CREDENTIAL.length())),
                            StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return ""; // malformed: refused as a malformed header would be
                }
            }
        }
        return null;
    }

    /** The {@code WWW-Authenticate} challenge a 401 carries in this mode. */
    String challenge() {
        return settings.strategy() == ApiSecurity.Strategy.JWT ? "Bearer " + REALM : "Basic " + REALM;
    }

    private Future<Caller> basic(String header) {
        if (header == null) {
            return Future.failedFuture(unauthorized("Authorization required"));
        }
        String key = CredentialCache.keyOf(header);
        Caller hit = cache.get(key);
        if (hit != null) {
            return Future.succeededFuture(hit);
        }
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("basic")) {
            return Future.failedFuture(unauthorized("Unsupported authorization type: use Basic"));
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(unauthorized("Could not decode authorization token"));
        }
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return Future.failedFuture(unauthorized("Could not decode authorization token"));
        }
        String user = pair.substring(0, colon);
        String password = pair.substring(colon + 1);
        return vertx.executeBlocking(() -> users.check(user, password), false).map(ok -> {
            if (!ok) {
                LOG.info("Refused HTTP basic credentials for user '{}'", user);
                throw unauthorized("Incorrect username or password");
            }
            Caller c = basicRoles.getOrDefault(user, new Caller(user, Caller.Role.ADMIN, null));
            cache.put(key, c, Long.MAX_VALUE);
            return c;
        });
    }

    private Future<Caller> bearer(HttpServerRequest req) {
        String token = null;
        String authorization = authorization(req);
        if (authorization != null) {
            String[] parts = authorization.strip().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) {
                return Future.failedFuture(unauthorized("Unsupported authorization type: use Bearer"));
            }
            token = parts[1];
        } else if (req.getHeader("X-Auth-Token") != null) {
            token = req.getHeader("X-Auth-Token").strip();
        }
        if (token == null || token.isEmpty()) {
            return Future.failedFuture(unauthorized("Authorization required"));
        }
        String key = CredentialCache.keyOf(token);
        Caller hit = cache.get(key);
        if (hit != null) {
            return Future.succeededFuture(hit);
        }
        String presented = token;
        return vertx.executeBlocking(
                        () -> {
                            try {
                                return jwt.verify(presented);
                            } catch (Exception e) {
                                LOG.info("Refused bearer token: {}", e.getMessage());
                                throw unauthorized("Invalid or expired token");
                            }
                        },
                        false)
                .map(v -> {
                    if (v.caller() == null) {
                        throw new AnvilException(403, "The token carries none of the roles admin, member or reader.");
                    }
                    long left = v.expires() == null
                            ? Long.MAX_VALUE
                            : (v.expires().getTime() - System.currentTimeMillis()) * 1_000_000L;
                    cache.put(key, v.caller(), left);
                    return v.caller();
                });
    }

    private static AnvilException unauthorized(String message) {
        return new AnvilException(401, message);
    }

    /** {@code api.http_basic_roles}: {@code user=role[:project]}; users not listed are admins, as in Ironic. */
    private static Map<String, Caller> basicRoles(List<String> entries, Htpasswd users) {
        Map<String, Caller> out = new HashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String user = eq < 0 ? "" : entry.substring(0, eq).strip();
            String[] roleProject =
                    eq < 0 ? new String[0] : entry.substring(eq + 1).strip().split(":", 2);
            Caller.Role role = roleProject.length == 0 ? null : Caller.Role.strongest(List.of(roleProject[0]));
            if (user.isEmpty() || role == null) {
                throw new ConfigException("api.http_basic_roles entry '" + entry
                        + "': expected user=role or user=role:project, role admin, member or reader");
            }
            if (!users.has(user)) {
                LOG.warn("api.http_basic_roles names user '{}', who is not in the user file", user);
            }
            out.put(user, new Caller(user, role, roleProject.length > 1 ? roleProject[1].strip() : null));
        }
        return Map.copyOf(out);
    }
}
