package io.anvil.cli.watch;

import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How the CLI's streaming commands ({@code anvil watch}, {@code anvil console}) authenticate to Anvil's API
 * (docs/security.md#authentication): a bearer token (JWT), or a user and password for {@code http_basic}, and the CA
 * that signed the API's TLS certificate. All optional: a {@code noauth} Anvil on loopback needs none of them.
 */
public record ApiAccess(String username, String password, String token, String caFile) {
    /** No credentials, the system's trust store. */
    public static ApiAccess none() {
        return new ApiAccess(null, null, null, null);
    }

    /** The {@code Authorization} header value: the token when given, else basic credentials; null for neither. */
    public String authorization() {
        if (present(token)) {
            return "Bearer " + token;
        }
        if (present(username)) {
            String pair = username + ":" + (password == null ? "" : password);
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** Trusts {@link #caFile} when given (a PEM bundle), besides nothing else: as the baremetal CLI's --os-cacert. */
    public WebSocketClientOptions applyTo(WebSocketClientOptions options) {
        if (present(caFile)) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
        }
        return options;
    }

    /** Adds the credentials to one connection attempt. */
    public WebSocketConnectOptions applyTo(WebSocketConnectOptions connect) {
        String header = authorization();
        if (header != null) {
            connect.putHeader("Authorization", header);
        }
        return connect;
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    /** Never prints the password or the token. */
    @Override
    public String toString() {
        return "ApiAccess[username=" + username + ", password=" + (present(password) ? "***" : "none") + ", token="
                + (present(token) ? "***" : "none") + ", caFile=" + caFile + "]";
    }
}
