package io.anvil.ipmi.client;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.Privilege;
import java.util.Arrays;
import java.util.Objects;

/**
 * One BMC and the credentials to use on it. All traffic to the same {@code host:port} shares one governor
 * (docs/architecture.md#invariants, invariant 6; docs/ipmi.md#governor); every distinct set of credentials gets its own
 * session.
 *
 * @param host        IP literal or name (names are resolved off the client's context, once)
 * @param port        UDP port, 623 on real hardware
 * @param privilege   requested in Open Session / RAKP1 / Activate Session and then set with Set Session
 *                    Privilege Level; ADMINISTRATOR by default (docs/ipmi.md#interop-pitfalls, pitfall 2)
 * @param version     {@link ProtocolVersion#V2_0} by default; v1.5 is an explicit choice, never a fallback
 * @param cipherSuite RMCP+ suite id; {@code null} = try 17, then 3 (docs/ipmi.md#cipher-suites)
 * @param kg          BMC key (RMCP+ "two-key" login); {@code null} = none, the password is used as Kg
 * @param authType    v1.5 auth type; {@code null} = strongest the BMC offers (MD5, MD2, straight, none)
 *
 * <p>{@link #toString()} masks the password and Kg; equality compares the array contents.
 */
public record BmcTarget(
        String host,
        int port,
        String username,
        String password,
        Privilege privilege,
        ProtocolVersion version,
        Integer cipherSuite,
        byte[] kg,
        AuthType authType) {

    public static final int DEFAULT_PORT = 623;

    public BmcTarget {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port);
        }
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        privilege = privilege == null ? Privilege.ADMINISTRATOR : privilege;
        version = version == null ? ProtocolVersion.V2_0 : version;
        kg = kg == null ? null : kg.clone();
        if (authType == AuthType.RMCP_PLUS || authType == AuthType.OEM) {
            throw new IllegalArgumentException("v1.5 auth type must be NONE, MD2, MD5 or STRAIGHT_PASSWORD");
        }
    }

    /** IPMI v2.0 target with ADMINISTRATOR privilege and cipher suite 17-then-3. */
    public static BmcTarget of(String host, int port, String username, String password) {
        return new BmcTarget(host, port, username, password, null, null, null, null, null);
    }

    public BmcTarget withPrivilege(Privilege p) {
        return new BmcTarget(host, port, username, password, p, version, cipherSuite, kg, authType);
    }

    public BmcTarget withCipherSuite(Integer suite) {
        return new BmcTarget(host, port, username, password, privilege, ProtocolVersion.V2_0, suite, kg, authType);
    }

    public BmcTarget withKg(byte[] key) {
        return new BmcTarget(host, port, username, password, privilege, version, cipherSuite, key, authType);
    }

    /** The same BMC over IPMI v1.5 with {@code type} ({@code null} = strongest offered). */
    public BmcTarget v15(AuthType type) {
        return new BmcTarget(host, port, username, password, privilege, ProtocolVersion.V1_5, null, kg, type);
    }

    public BmcTarget withPassword(String pw) {
        return new BmcTarget(host, port, username, pw, privilege, version, cipherSuite, kg, authType);
    }

    public BmcTarget withUsername(String user) {
        return new BmcTarget(host, port, user, password, privilege, version, cipherSuite, kg, authType);
    }

    @Override
    public byte[] kg() {
        return kg == null ? null : kg.clone();
    }

    /** {@code host:port}, the governor's key. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BmcTarget t
                && t.host.equals(host)
                && t.port == port
                && t.username.equals(username)
                && t.password.equals(password)
                && t.privilege == privilege
                && t.version == version
                && Objects.equals(t.cipherSuite, cipherSuite)
                && Arrays.equals(t.kg, kg)
                && t.authType == authType;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                host, port, username, password, privilege, version, cipherSuite, Arrays.hashCode(kg), authType);
    }

    @Override
    public String toString() {
        return "BmcTarget[" + address() + ", user=" + username + ", password=******, privilege=" + privilege
                + ", version=" + version
                + (version == ProtocolVersion.V2_0
                        ? ", cipherSuite=" + (cipherSuite == null ? "17,3" : cipherSuite)
                        : ", authType=" + (authType == null ? "best" : authType))
                + (kg == null ? "" : ", kg=******") + "]";
    }
}
