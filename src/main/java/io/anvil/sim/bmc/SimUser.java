package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.Privilege;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One user account of a simulated BMC: name (1–16 bytes), password (at most 16 bytes so that IPMI v1.5
 * can use it too; RMCP+ would allow 20) and the highest privilege the account may reach.
 */
public record SimUser(String name, String password, Privilege maxPrivilege) {

    /** admin / password, ADMINISTRATOR — the default account of every simulated BMC. */
    public static final SimUser ADMIN = new SimUser("admin", "password", Privilege.ADMINISTRATOR);
    /** operator / operpass, OPERATOR: may power on/off and set boot options. */
    public static final SimUser OPERATOR = new SimUser("operator", "operpass", Privilege.OPERATOR);
    /** user / userpass, USER: read-only; Chassis Control answers 0xD4 (insufficient privilege). */
    public static final SimUser USER = new SimUser("user", "userpass", Privilege.USER);

    public static final List<SimUser> DEFAULTS = List.of(ADMIN, OPERATOR, USER);

    public SimUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(maxPrivilege, "maxPrivilege");
        int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > 16) {
            throw new IllegalArgumentException("user name must be 1..16 bytes: " + name);
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > 16) {
            throw new IllegalArgumentException("password must be at most 16 bytes (IPMI v1.5 limit)");
        }
        if (maxPrivilege == Privilege.UNSPECIFIED) {
            throw new IllegalArgumentException("maxPrivilege must be CALLBACK..OEM");
        }
    }

    byte[] passwordBytes() {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    boolean hasName(byte[] candidate) {
        return java.util.Arrays.equals(name.getBytes(StandardCharsets.UTF_8), candidate);
    }

    @Override
    public String toString() {
        return "SimUser[" + name + ", " + maxPrivilege + ", password=<masked>]";
    }
}
