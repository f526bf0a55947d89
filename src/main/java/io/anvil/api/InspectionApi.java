package io.anvil.api;

import io.anvil.agent.AgentService;
import io.anvil.conductor.Inspections;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/continue_inspection}: the ramdisk agent posts what it found (Ironic's ramdisk.py
 * ContinueInspectionController; the body is what ironic-python-agent's inspector.py call_inspector sends: the
 * {@code inventory}, {@code root_disk}, {@code boot_interface}, {@code configuration}, {@code error}, {@code logs}).
 * No API authentication, off with {@code api.enable_ramdisk_endpoints}, like the other ramdisk endpoints.
 *
 * <p>Ironic serves it from 1.84 and, for ironic-inspector compatibility, at the base version 1.1 (the agent sends no
 * version header). Anvil's advertised maximum is below 1.84, so it accepts every version it negotiates and answers
 * the base version's body, {@code {"uuid": ...}}; the 1.84 body (lookup-like, with the agent token) and the
 * {@code node_uuid} parameter wait for the advertised maximum to reach 1.84. See docs/agent.md.
 */
final class InspectionApi {
    private static final Logger LOG = LoggerFactory.getLogger(InspectionApi.class);
    private static final Pattern MAC = Pattern.compile("^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$");

    private final AgentService agent;
    private final Inspections inspections;

    InspectionApi(ApiServices services) {
        this.agent = services.agent();
        this.inspections = new Inspections(services.conductor().tasks());
    }

    Future<JsonObject> continueInspection(RoutingContext ctx) {
        if (!agent.settings().enableRamdiskEndpoints()) {
            throw new AnvilException(
                    403,
                    "Access was denied to the following resource: "
                            + ctx.request().path());
        }
        JsonObject data = Requests.jsonObject(ctx).copy();
        validate(data);
        JsonObject inventory = (JsonObject) data.remove("inventory");
        List<String> macs = validMacs(inventory.getJsonArray("interfaces"));
        List<String> bmc = new ArrayList<>();
        for (String key : List.of("bmc_address", "bmc_v6address")) {
            if (inventory.getValue(key) instanceof String s && !s.isEmpty()) {
                bmc.add(s);
            }
        }
        if (macs.isEmpty() && bmc.isEmpty()) {
            throw AnvilException.invalid("No lookup information provided");
        }
        return inspections.continueInspection(macs, bmc, inventory, data).map(uuid -> {
            ctx.response().setStatusCode(202);
            return new JsonObject().put("uuid", uuid);
        });
    }

    /**
     * Ironic's DATA_VALIDATOR (a minimal inventory: {@code interfaces}, at least one, each with a string
     * {@code mac_address}), with its messages, plus the shape of what processing reads ({@code cpu} and
     * {@code memory} objects, {@code disks} a list) when present: malformed data is refused before any change.
     * Missing CPU or memory information fails the inspection instead, as in Ironic.
     */
    static void validate(JsonObject data) {
        if (!data.containsKey("inventory")) {
            throw schema("'inventory' is a required property");
        }
        if (!(data.getValue("inventory") instanceof JsonObject inventory)) {
            throw schema(repr(data.getValue("inventory")) + " is not of type 'object'");
        }
        for (String key : List.of("bmc_address", "bmc_v6address")) {
            Object v = inventory.getValue(key);
            if (inventory.containsKey(key) && v != null && !(v instanceof String)) {
                throw schema(repr(v) + " is not of type 'string', 'null'");
            }
        }
        if (!inventory.containsKey("interfaces")) {
            throw schema("'interfaces' is a required property");
        }
        if (!(inventory.getValue("interfaces") instanceof JsonArray interfaces)) {
            throw schema(repr(inventory.getValue("interfaces")) + " is not of type 'array'");
        }
        if (interfaces.isEmpty()) {
            throw schema("[] is too short");
        }
        for (Object o : interfaces) {
            if (!(o instanceof JsonObject iface)) {
                throw schema(repr(o) + " is not of type 'object'");
            }
            if (!iface.containsKey("mac_address")) {
                throw schema("'mac_address' is a required property");
            }
            if (!(iface.getValue("mac_address") instanceof String)) {
                throw schema(repr(iface.getValue("mac_address")) + " is not of type 'string'");
            }
        }
        for (String key : List.of("cpu", "memory")) {
            Object v = inventory.getValue(key);
            if (v != null && !(v instanceof JsonObject)) {
                throw schema(repr(v) + " is not of type 'object'");
            }
        }
        Object disks = inventory.getValue("disks");
        if (disks != null && !(disks instanceof JsonArray)) {
            throw schema(repr(disks) + " is not of type 'array'");
        }
        if (disks instanceof JsonArray list) {
            for (Object d : list) {
                if (!(d instanceof JsonObject)) {
                    throw schema(repr(d) + " is not of type 'object'");
                }
            }
        }
    }

    /** Ironic's get_valid_mac_addresses: invalid MACs are logged and ignored. */
    private static List<String> validMacs(JsonArray interfaces) {
        Set<String> valid = new LinkedHashSet<>();
        List<String> invalid = new ArrayList<>();
        for (Object o : interfaces) {
            String raw = ((JsonObject) o).getString("mac_address");
            String mac = raw.trim().toLowerCase(Locale.ROOT);
            if (MAC.matcher(mac).matches()) {
                valid.add(mac.replace('-', ':'));
            } else {
                invalid.add(raw);
            }
        }
        if (!invalid.isEmpty()) {
            LOG.warn(
                    "The following MAC addresses \"{}\" are invalid and will be ignored by the lookup request",
                    String.join(", ", invalid));
        }
        return List.copyOf(valid);
    }

    private static AnvilException schema(String message) {
        return AnvilException.invalid("Schema error for data: " + message);
    }

    /** Roughly Python's repr, as jsonschema's messages show values; long values are cut. */
    private static String repr(Object v) {
        String s;
        if (v == null) {
            s = "None";
        } else if (v instanceof String str) {
            s = "'" + str + "'";
        } else if (v instanceof Boolean b) {
            s = b ? "True" : "False";
        } else {
            s = String.valueOf(v);
        }
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
