package io.anvil.api;

import io.anvil.agent.AgentLookup;
import io.anvil.agent.AgentService;
import io.anvil.agent.HeartbeatRequest;
import io.anvil.agent.NodeIdents;
import io.anvil.errors.AnvilException;
import io.anvil.store.SqlValues;
import io.anvil.util.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ramdisk agent's endpoints (Ironic's ramdisk.py; docs/agent.md): {@code GET /v1/lookup} and
 * {@code POST /v1/heartbeat/{node_ident}}, from microversion 1.22, off with {@code api.enable_ramdisk_endpoints}.
 * This class only speaks HTTP: parsing, microversion gates and the response shape; the agent package decides.
 */
final class AgentApi {
    private static final Logger LOG = LoggerFactory.getLogger(AgentApi.class);
    private static final Pattern MAC = Pattern.compile("^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$");
    private static final Set<String> HEARTBEAT_FIELDS = Set.copyOf(HeartbeatBodies.FIELDS);

    private final ApiServices services;
    private final AgentService agent;
    private final AgentService.Front front;

    AgentApi(ApiServices services, io.vertx.core.Context context) {
        this.services = services;
        this.agent = services.agent();
        this.front = agent.front(context);
    }

    /** Ironic's order: disabled endpoints (403) before the microversion (404). */
    private void gate(RoutingContext ctx) {
        if (!agent.settings().enableRamdiskEndpoints()) {
            throw new AnvilException(
                    403,
                    "Access was denied to the following resource: "
                            + ctx.request().path());
        }
        if (!Requests.version(ctx).atLeast(22)) {
            throw AnvilException.notFound("Resource could not be found.");
        }
    }

    // ---- GET /v1/lookup ----

    Future<JsonObject> lookup(RoutingContext ctx) {
        gate(ctx);
        Requests.allowOnly(ctx, Set.of("addresses", "node_uuid"));
        List<String> macs = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String raw : ctx.queryParam("addresses")) {
            for (String a : raw.split(",")) {
                String mac = a.trim().toLowerCase(Locale.ROOT);
                if (mac.isEmpty()) {
                    continue;
                }
                if (MAC.matcher(mac).matches()) {
                    macs.add(mac.replace('-', ':'));
                } else {
                    invalid.add(a.trim());
                }
            }
        }
        if (!invalid.isEmpty()) {
            LOG.warn(
                    "The following MAC addresses \"{}\" are invalid and will be ignored by the lookup request",
                    String.join(", ", invalid));
        }
        String nodeUuid = Requests.query(ctx, "node_uuid");
        UUID uuid = null;
        if (nodeUuid != null) {
            uuid = SqlValues.uuidOrNull(nodeUuid);
            if (uuid == null) {
                throw AnvilException.invalid("Expected UUID for node_uuid: " + nodeUuid);
            }
        }
        if (macs.isEmpty() && uuid == null) {
            throw AnvilException.invalid("At least one of 'addresses' and 'node_uuid' parameters is required");
        }
        AgentLookup lookup = agent.lookup();
        String base = Links.base(ctx, services.config().api().publicUrl());
        return lookup.lookup(macs, uuid, Requests.version(ctx).atLeast(62)).map(found -> {
            JsonObject row = found.node();
            String u = row.getString("uuid");
            JsonObject node = new JsonObject()
                    .put("uuid", u)
                    .put("properties", row.getJsonObject("properties"))
                    .put("instance_info", Secrets.mask(row.getJsonObject("instance_info")))
                    .put("driver_internal_info", Secrets.mask(row.getJsonObject("driver_internal_info")))
                    .put("links", Links.of(base, "nodes/" + u));
            return new JsonObject().put("node", node).put("config", lookup.config(found.token(), row));
        });
    }

    // ---- POST /v1/heartbeat/{node_ident} ----

    Future<Void> heartbeat(RoutingContext ctx) {
        gate(ctx);
        ApiVersion v = Requests.version(ctx);
        String ident = ctx.pathParam("node_ident");
        // the agent's own shape (a flat object of known string fields) is read in one streaming pass; anything else
        // takes the general path below, which owns every error message
        String[] fields = HeartbeatBodies.parse(ctx.body().buffer());
        if (fields == null) {
            fields = general(ctx);
        }
        String callbackUrl = fields[HeartbeatBodies.CALLBACK_URL];
        String agentVersion = fields[HeartbeatBodies.AGENT_VERSION];
        String agentToken = fields[HeartbeatBodies.AGENT_TOKEN];
        String verifyCa = fields[HeartbeatBodies.AGENT_VERIFY_CA];
        String status = fields[HeartbeatBodies.AGENT_STATUS];
        String statusMessage = fields[HeartbeatBodies.AGENT_STATUS_MESSAGE];
        if (agentVersion != null && !agentVersion.isEmpty() && !v.atLeast(36)) {
            throw AnvilException.invalid("Field \"agent_version\" not recognised");
        }
        if (((status != null && !status.isEmpty()) || (statusMessage != null && !statusMessage.isEmpty()))
                && !v.atLeast(72)) {
            throw AnvilException.invalid("Fields \"agent_status\" and \"agent_status_message\" not recognised.");
        }
        if (verifyCa != null && !v.atLeast(68)) {
            throw AnvilException.invalid("Field \"agent_verify_ca\" not recognised in this version");
        }
        if (callbackUrl == null) {
            throw AnvilException.invalid("Missing mandatory parameter: callback_url");
        }
        if (NodeIdents.canonical(ident) == null) { // a canonical UUID is always a valid ident
            NodeApi.checkIdent(ident, v);
        }
        return front.heartbeat(
                new HeartbeatRequest(ident, callbackUrl, agentVersion, agentToken, verifyCa, status, statusMessage));
    }

    /** The body through the general JSON path: Ironic's errors for non-objects, unknown fields and non-strings. */
    private static String[] general(RoutingContext ctx) {
        JsonObject body = Requests.jsonObject(ctx);
        List<String> unexpected = new ArrayList<>();
        for (String k : body.fieldNames()) {
            if (!HEARTBEAT_FIELDS.contains(k)) {
                unexpected.add(k);
            }
        }
        if (!unexpected.isEmpty()) {
            throw AnvilException.invalid("Unexpected arguments: " + String.join(", ", unexpected));
        }
        String[] fields = new String[HeartbeatBodies.FIELDS.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = string(body, HeartbeatBodies.FIELDS.get(i));
        }
        return fields;
    }

    /** Ironic's args.string: a string or null; anything else is the caller's error (without echoing secrets). */
    private static String string(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw AnvilException.invalid("Expected string for " + field + ": "
                + (field.equals("agent_token") ? Secrets.MASK : String.valueOf(value)));
    }
}
