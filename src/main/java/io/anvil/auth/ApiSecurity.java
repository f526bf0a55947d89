package io.anvil.auth;

import io.anvil.config.AnvilConfig;
import io.anvil.config.AnvilConfig.ConfigException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The API's security settings (docs/security.md#authentication): how callers authenticate, where the API may listen
 * without authentication, who may scrape {@code /metrics}, and the TLS certificate. Read from the {@code api.*} keys.
 */
public record ApiSecurity(
        Strategy strategy,
        String host,
        boolean hostExplicit,
        boolean allowNoauthOnPublicAddress,
        String userFile,
        List<String> basicRoles,
        Jwt jwt,
        Duration cacheTtl,
        int cacheSize,
        boolean metricsOpen,
        String tlsCertFile,
        String tlsKeyFile) {

    /** Ironic's {@code auth_strategy} values, with {@code jwt} for OIDC-style bearer tokens instead of keystone. */
    public enum Strategy {
        NOAUTH,
        HTTP_BASIC,
        JWT;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Bearer-token verification: one key source (HMAC secret, PEM public key, or JWKS), the claims checked and read. */
    public record Jwt(
            String secret,
            String publicKeyFile,
            String jwks,
            String issuer,
            String audience,
            String rolesClaim,
            String projectClaim,
            Duration leeway) {}

    public static ApiSecurity from(AnvilConfig config) {
        String strategyName = text(config, "api.auth_strategy").toLowerCase(Locale.ROOT);
        Strategy strategy =
                switch (strategyName) {
                    case "noauth" -> Strategy.NOAUTH;
                    case "http_basic" -> Strategy.HTTP_BASIC;
                    case "jwt" -> Strategy.JWT;
                    default ->
                        throw new ConfigException(
                                "'api.auth_strategy' must be noauth, http_basic or jwt, got '" + strategyName + "'");
                };
        String metrics = text(config, "api.metrics_access").toLowerCase(Locale.ROOT);
        boolean metricsOpen =
                switch (metrics) {
                    case "" -> strategy == Strategy.NOAUTH;
                    case "open" -> true;
                    case "admin" -> false;
                    default ->
                        throw new ConfigException(
                                "'api.metrics_access' must be open or admin (or empty), got '" + metrics + "'");
                };
        List<String> roles = new ArrayList<>();
        Object r = config.setting("api.http_basic_roles").orElse(List.of());
        if (r instanceof List<?> l) {
            l.forEach(x -> roles.add(String.valueOf(x)));
        }
        ApiSecurity s = new ApiSecurity(
                strategy,
                config.api().host(),
                !text(config, "api.host").isEmpty(),
                bool(config, "api.allow_noauth_on_public_address"),
                text(config, "api.http_basic_auth_user_file"),
                List.copyOf(roles),
                new Jwt(
                        text(config, "api.jwt_secret"),
                        text(config, "api.jwt_public_key_file"),
                        text(config, "api.jwt_jwks"),
                        text(config, "api.jwt_issuer"),
                        text(config, "api.jwt_audience"),
                        text(config, "api.jwt_roles_claim"),
                        text(config, "api.jwt_project_claim"),
                        seconds(config, "api.jwt_leeway")),
                seconds(config, "api.auth_cache_ttl"),
                ((Number) config.setting("api.auth_cache_size").orElse(10000)).intValue(),
                metricsOpen,
                text(config, "api.tls_cert_file"),
                text(config, "api.tls_key_file"));
        s.check();
        return s;
    }

    /** The start-up rules a misconfiguration breaks; each message says what to set. */
    private void check() {
        if (noauthInPublic() && !allowNoauthOnPublicAddress) {
            throw new ConfigException("api.auth_strategy is noauth (no authentication) but api.host is " + host
                    + ", not a loopback address: anyone who reaches it could power off the fleet. Set"
                    + " api.auth_strategy to http_basic or jwt (docs/security.md#authentication), bind to 127.0.0.1,"
                    + " or set api.allow_noauth_on_public_address: true to accept the risk.");
        }
        if (strategy == Strategy.HTTP_BASIC && userFile.isEmpty()) {
            throw new ConfigException("api.auth_strategy http_basic needs api.http_basic_auth_user_file (an Apache"
                    + " htpasswd file with bcrypt hashes: htpasswd -cB FILE USER)");
        }
        if (strategy == Strategy.JWT) {
            int sources = (jwt.secret.isEmpty() ? 0 : 1)
                    + (jwt.publicKeyFile.isEmpty() ? 0 : 1)
                    + (jwt.jwks.isEmpty() ? 0 : 1);
            if (sources != 1) {
                throw new ConfigException("api.auth_strategy jwt needs exactly one of api.jwt_secret (HMAC),"
                        + " api.jwt_public_key_file (PEM RSA or EC public key) and api.jwt_jwks (a JWKS file or"
                        + " URL); " + sources + " given");
            }
        }
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) {
            throw new ConfigException("api.tls_cert_file and api.tls_key_file go together (PEM certificate chain and"
                    + " its private key)");
        }
        if (cacheSize < 1) {
            throw new ConfigException("'api.auth_cache_size' must be at least 1, got " + cacheSize);
        }
    }

    /** noauth on an address others can reach (allowed by api.allow_noauth_on_public_address): worth a warning. */
    public boolean noauthInPublic() {
        return strategy == Strategy.NOAUTH && !loopback(host);
    }

    public boolean tls() {
        return !tlsCertFile.isEmpty();
    }

    /** The HTTP server's options for this: TLS with the configured PEM certificate and key when set. */
    public HttpServerOptions apply(HttpServerOptions options) {
        if (tls()) {
            options.setSsl(true)
                    .setKeyCertOptions(
                            new PemKeyCertOptions().setCertPath(tlsCertFile).setKeyPath(tlsKeyFile));
        }
        return options;
    }

    /** One line for the start-up log: the mode and where the API listens. */
    public String describe(int port) {
        String mode =
                switch (strategy) {
                    case NOAUTH -> "noauth: NO authentication, every caller is an admin";
                    case HTTP_BASIC -> "http_basic: users from " + userFile;
                    case JWT ->
                        "jwt: bearer tokens checked against "
                                + (!jwt.secret.isEmpty()
                                        ? "an HMAC secret"
                                        : !jwt.publicKeyFile.isEmpty() ? jwt.publicKeyFile : "the JWKS " + jwt.jwks);
                };
        return "API authentication " + mode + "; listening on " + (tls() ? "https" : "http") + "://" + host + ":" + port
                + (metricsOpen ? "; /metrics open" : "; /metrics for admins");
    }

    static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String text(AnvilConfig config, String key) {
        return String.valueOf(config.setting(key).orElse("")).trim();
    }

    private static boolean bool(AnvilConfig config, String key) {
        Object o = config.setting(key).orElse(false);
        if (o instanceof Boolean b) {
            return b;
        }
        throw new ConfigException("'" + key + "' must be true or false, got '" + o + "'");
    }

    private static Duration seconds(AnvilConfig config, String key) {
        Object o = config.setting(key).orElse(0);
        if (o instanceof Number n) {
            return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
        }
        throw new ConfigException("'" + key + "' must be a number of seconds, got '" + o + "'");
    }
}
