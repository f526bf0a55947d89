package io.anvil.driver.redfish;

import io.anvil.config.Booleans;
import io.anvil.errors.AnvilException;
import io.anvil.redfish.RedfishTarget;
import io.anvil.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ironic's redfish driver_info ({@code ironic/drivers/modules/redfish/utils.py: parse_driver_info}) validated with
 * Ironic's messages and turned into a {@link RedfishTarget}. The password never appears in a message.
 */
public final class RedfishDriverInfo {
    /** The keys and their descriptions (GET /v1/drivers/redfish/properties), Ironic's wording. */
    public static final Map<String, String> PROPERTIES;

    static {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(
                "redfish_address",
                "The URL address to the Redfish controller. It must include the authority portion of the URL, and can"
                        + " optionally include the scheme. If the scheme is missing, https is assumed. For example:"
                        + " https://mgmt.vendor.com. This is required.");
        p.put(
                "redfish_system_id",
                "The canonical path to the ComputerSystem resource that the driver will interact with. It should"
                        + " include the root service, version and the unique resource path to the ComputerSystem."
                        + " This property is only required if target BMC manages more than one ComputerSystem."
                        + " Otherwise ironic will pick the only available ComputerSystem automatically. For example:"
                        + " /redfish/v1/Systems/1.");
        p.put(
                "redfish_username",
                "User account with admin/server-profile access privilege. Although this property is"
                        + " not mandatory it's highly recommended to set a username. Optional");
        p.put(
                "redfish_password",
                "User account password. Although this property is not mandatory, it's highly"
                        + " recommended to set a password. Optional");
        p.put(
                "redfish_verify_ca",
                "Either a Boolean value, a path to a CA_BUNDLE file or directory with certificates of trusted CAs. If"
                        + " set to True the driver will verify the host certificates; if False the driver will ignore"
                        + " verifying the SSL certificate. If it's a path the driver will use the specified"
                        + " certificate or one of the certificates in the directory. Defaults to True. Optional");
        p.put(
                "redfish_auth_type",
                "Redfish HTTP client authentication method. Can be \"basic\", \"session\" or \"auto\". The \"auto\""
                        + " mode first tries \"session\" and falls back to \"basic\" if session authentication is not"
                        + " supported by the Redfish BMC. Default is set in ironic config as [redfish]auth_type."
                        + " Optional");
        PROPERTIES = java.util.Collections.unmodifiableMap(p);
    }

    private RedfishDriverInfo() {}

    /** @param defaultAuth redfish.auth_type (Ironic's [redfish]auth_type, auto) */
    public static RedfishTarget parse(String nodeUuid, JsonObject info, RedfishTarget.AuthType defaultAuth) {
        Object address = info == null ? null : info.getValue("redfish_address");
        if (!(address instanceof String a) || a.isBlank()) {
            throw AnvilException.invalid(
                    "Missing the following Redfish properties in node " + nodeUuid + " driver_info: redfish_address");
        }
        URI base;
        try {
            String withScheme = a.trim().contains("://") ? a.trim() : "https://" + a.trim();
            URI u = URI.create(withScheme);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw AnvilException.invalid("Invalid Redfish address " + a + " set in driver_info/redfish_address"
                        + " on node " + nodeUuid + ": the scheme must be http or https, not \"" + u.getScheme()
                        + "\".");
            }
            if (u.getHost() == null || u.getHost().isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            base = RedfishTarget.baseOf(withScheme);
        } catch (IllegalArgumentException e) {
            throw AnvilException.invalid(
                    "Invalid Redfish address " + a + " set in driver_info/redfish_address on node " + nodeUuid);
        }
        String systemId = string(info, "redfish_system_id");
        if (systemId != null && !systemId.startsWith("/")) {
            throw AnvilException.invalid("Invalid value \"" + systemId + "\" set in driver_info/redfish_system_id on"
                    + " node " + nodeUuid + ": it must be the path of a ComputerSystem, e.g. /redfish/v1/Systems/1.");
        }
        if (SecretBox.isSealed(info.getValue("redfish_password"))) {
            throw new SecretBox.Unreadable("node " + nodeUuid + "'s driver_info reached the Redfish driver encrypted");
        }
        String verify = verifyCa(nodeUuid, info.getValue("redfish_verify_ca"));
        RedfishTarget.AuthType auth = defaultAuth;
        String authType = string(info, "redfish_auth_type");
        if (authType != null) {
            try {
                auth = RedfishTarget.AuthType.valueOf(authType.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw AnvilException.invalid("Invalid value \"" + authType + "\" set in driver_info/redfish_auth_type"
                        + " on node " + nodeUuid + ". The value should be one of \"basic\", \"session\", \"auto\"");
            }
        }
        return new RedfishTarget(
                base,
                systemId,
                string(info, "redfish_username"),
                info.getValue("redfish_password") == null ? "" : String.valueOf(info.getValue("redfish_password")),
                verify,
                auth);
    }

    /** "true", "false" or the path, as Ironic reads redfish_verify_ca (a boolean, a boolean string, or a path). */
    private static String verifyCa(String nodeUuid, Object v) {
        if (v == null) {
            return "true";
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        String s = String.valueOf(v).trim();
        var b = Booleans.fromString(s);
        if (b.isPresent()) {
            return b.get().toString();
        }
        if (!s.startsWith("/")) {
            throw invalidVerifyCa(nodeUuid, s);
        }
        return s;
    }

    static AnvilException invalidVerifyCa(String nodeUuid, String value) {
        return AnvilException.invalid("Invalid value type set in driver_info/redfish_verify_ca on node " + nodeUuid
                + ". The value should be a Boolean or the path to a file/directory, not \"" + value + "\"");
    }

    /** Ironic's validate: parse, and a CA bundle path must exist (checked without blocking the event loop). */
    public static Future<RedfishTarget> validate(
            Vertx vertx, String nodeUuid, JsonObject info, RedfishTarget.AuthType defaultAuth) {
        RedfishTarget t;
        try {
            t = parse(nodeUuid, info, defaultAuth);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        if (t.verifyCa().equals("true") || t.verifyCa().equals("false")) {
            return Future.succeededFuture(t);
        }
        return vertx.fileSystem()
                .exists(t.verifyCa())
                .compose(exists -> exists
                        ? Future.succeededFuture(t)
                        : Future.failedFuture(invalidVerifyCa(nodeUuid, t.verifyCa())));
    }

    private static String string(JsonObject info, String key) {
        Object v = info.getValue(key);
        return v == null || String.valueOf(v).isBlank()
                ? null
                : String.valueOf(v).trim();
    }
}
