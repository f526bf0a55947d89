package io.anvil.redfish;

import java.net.URI;
import java.util.Objects;

/**
 * One Redfish service as a node's driver_info names it: the base URL ({@code https://host:port}), the system's
 * {@code @odata.id} (null: the service's only system), credentials, how to verify its certificate and how to
 * authenticate. {@link #toString()} masks the password.
 *
 * @param verifyCa {@code "true"} (the JVM's trust store), {@code "false"} (no check) or a CA bundle file/directory path
 */
public record RedfishTarget(
        URI base, String systemId, String username, String password, String verifyCa, AuthType authType) {

    /** Ironic's redfish_auth_type. */
    public enum AuthType {
        BASIC,
        SESSION,
        AUTO
    }

    public RedfishTarget {
        Objects.requireNonNull(base, "base");
        verifyCa = verifyCa == null ? "true" : verifyCa;
        authType = authType == null ? AuthType.AUTO : authType;
        username = username == null ? "" : username;
        password = password == null ? "" : password;
    }

    public static RedfishTarget of(String address, String username, String password) {
        return new RedfishTarget(baseOf(address), null, username, password, "true", AuthType.AUTO);
    }

    public RedfishTarget withVerifyCa(String v) {
        return new RedfishTarget(base, systemId, username, password, v, authType);
    }

    public RedfishTarget withAuthType(AuthType a) {
        return new RedfishTarget(base, systemId, username, password, verifyCa, a);
    }

    public RedfishTarget withSystemId(String s) {
        return new RedfishTarget(base, s, username, password, verifyCa, authType);
    }

    /** {@code scheme://host:port} of an address with or without a scheme (https when missing, as Ironic's). */
    public static URI baseOf(String address) {
        String a = address.trim();
        if (!a.contains("://")) {
            a = "https://" + a;
        }
        URI u = URI.create(a);
        int port = u.getPort() != -1 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        return URI.create(u.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + u.getHost() + ":" + port);
    }

    /** The governor's and the service root cache's key: one BMC is one scheme://host:port. */
    public String bmc() {
        return base.toString();
    }

    /** An absolute URL of a path ({@code @odata.id} values are absolute paths). */
    public String url(String path) {
        if (path.startsWith("http://") || path.startsWith("https://")) {
            return path;
        }
        return base + (path.startsWith("/") ? path : "/" + path);
    }

    @Override
    public String toString() {
        return "RedfishTarget[" + base + ", system=" + systemId + ", user=" + username + ", password=******, verify_ca="
                + verifyCa + ", auth=" + authType.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
