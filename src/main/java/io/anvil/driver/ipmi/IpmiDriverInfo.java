package io.anvil.driver.ipmi;

import io.anvil.config.Booleans;
import io.anvil.errors.AnvilException;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.ProtocolVersion;
import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.secrets.SecretBox;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Ironic's ipmitool driver_info fields, validated with clear errors and turned into a {@link BmcTarget}.
 * The password never appears in a message.
 */
public final class IpmiDriverInfo {
    private static final List<String> PRIVILEGES = List.of("ADMINISTRATOR", "OPERATOR", "USER", "CALLBACK");
    private static final List<Integer> SUITES = List.of(0, 1, 2, 3, 17);

    private IpmiDriverInfo() {}

    public static BmcTarget parse(String nodeUuid, JsonObject info) {
        Object address = info.getValue("ipmi_address");
        if (!(address instanceof String a) || a.isBlank()) {
            throw AnvilException.invalid(
                    "Missing the following IPMI credentials in node " + nodeUuid + "'s driver_info: ipmi_address.");
        }
        int port = integer(info, "ipmi_port", 623, 1, 65535);
        String user = string(info, "ipmi_username");
        // the task's node has its secrets decrypted (docs/security.md#secrets-at-rest); a value still sealed here would
        // be sent to the BMC as a password, so it is refused instead
        if (SecretBox.isSealed(info.getValue("ipmi_password"))
                || SecretBox.isSealed(info.getValue("ipmi_hex_kg_key"))) {
            throw new SecretBox.Unreadable("node " + nodeUuid + "'s driver_info reached the IPMI driver encrypted");
        }
        String password = info.getValue("ipmi_password") == null ? "" : String.valueOf(info.getValue("ipmi_password"));
        String priv = string(info, "ipmi_priv_level");
        Privilege privilege = Privilege.ADMINISTRATOR;
        if (priv != null) {
            if (!PRIVILEGES.contains(priv.toUpperCase(Locale.ROOT))) {
                throw AnvilException.invalid("Invalid privilege level value: " + priv + ", the valid values are: "
                        + String.join(", ", PRIVILEGES) + ".");
            }
            privilege = Privilege.valueOf(priv.toUpperCase(Locale.ROOT));
        }
        String version = string(info, "ipmi_protocol_version");
        if (version != null && !version.equals("2.0") && !version.equals("1.5")) {
            throw AnvilException.invalid(
                    "Invalid IPMI protocol version value " + version + ", the valid values are: 1.5, 2.0.");
        }
        Integer suite = null;
        if (info.getValue("ipmi_cipher_suite") != null) {
            suite = integer(info, "ipmi_cipher_suite", 17, 0, 255);
            if (!SUITES.contains(suite)) {
                throw AnvilException.invalid("Unsupported ipmi_cipher_suite " + suite + "; Anvil supports " + SUITES
                        + " (17 is tried first, then 3, when it is not set).");
            }
        }
        if (suite != null && "1.5".equals(version)) {
            throw AnvilException.invalid("Cipher suites cannot be used with IPMI 1.5");
        }
        disableBootTimeout(info, true);
        forceBootDevice(info);
        byte[] kg = null;
        String hexKg = string(info, "ipmi_hex_kg_key");
        if (hexKg != null) {
            if (hexKg.length() % 2 != 0 || hexKg.length() > 40 || !hexKg.matches("[0-9a-fA-F]*")) {
                throw AnvilException.invalid(
                        "ipmi_hex_kg_key must be an even number of hexadecimal digits, at most 40.");
            }
            kg = HexFormat.of().parseHex(hexKg);
        }
        BmcTarget target = new BmcTarget(
                ((String) address).trim(),
                port,
                user,
                password,
                privilege,
                "1.5".equals(version) ? ProtocolVersion.V1_5 : ProtocolVersion.V2_0,
                "1.5".equals(version) ? null : suite,
                kg,
                "1.5".equals(version) ? AuthType.MD5 : null);
        return target;
    }

    /** {@code ipmi_force_boot_device}, default false. */
    public static boolean forceBootDevice(JsonObject info) {
        return flag(info, "ipmi_force_boot_device", false);
    }

    /** {@code ipmi_disable_boot_timeout}, defaulting to the [ipmi] disable_boot_timeout setting. */
    public static boolean disableBootTimeout(JsonObject info, boolean dflt) {
        return flag(info, "ipmi_disable_boot_timeout", dflt);
    }

    /** A boolean option: JSON true/false or, as the CLI sends them, the strings Ironic's bool_from_string knows. */
    private static boolean flag(JsonObject info, String key, boolean dflt) {
        Object v = info.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return Booleans.fromString(String.valueOf(v))
                .orElseThrow(() -> AnvilException.invalid(
                        "Invalid " + key + " '" + v + "': it must be a boolean (true or false)."));
    }

    private static String string(JsonObject info, String key) {
        Object v = info.getValue(key);
        return v == null ? null : String.valueOf(v);
    }

    private static int integer(JsonObject info, String key, int dflt, int min, int max) {
        Object v = info.getValue(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = v instanceof Number num
                    ? num.intValue()
                    : Integer.parseInt(String.valueOf(v).trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw AnvilException.invalid(
                    "Invalid " + key + " '" + v + "': it must be an integer between " + min + " and " + max + ".");
        }
    }
}
