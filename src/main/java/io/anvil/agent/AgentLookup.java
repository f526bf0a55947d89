package io.anvil.agent;

import io.anvil.conductor.TaskManager;
import io.anvil.conductor.TaskOptions;
import io.anvil.config.AnvilConfig;
import io.anvil.driver.agent.AgentInternalInfo;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's node lookup for a ramdisk agent (ramdisk.py LookupController, manager.get_node_with_token): find the node
 * by UUID or by its ports' MAC addresses, only in LOOKUP_ALLOWED_STATES when {@code api.restrict_lookup}, and issue
 * the agent token once. Issuing needs the node exclusively but never waits: a held node answers 409 at once (the
 * agent retries in 5–30 s), so lookups cannot pile up behind a long operation. A token already issued is answered
 * as "******", which makes a second agent on the same node useless.
 */
public final class AgentLookup {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLookup.class);

    /** The node found and the token value the agent gets in {@code config.agent_token} (null, the token or ******). */
    public record Found(JsonObject node, String token) {}

    private final ResourceStore store;
    private final TaskManager tasks;
    private final AnvilConfig.Agent settings;
    private final AgentMetrics metrics;

    AgentLookup(ResourceStore store, TaskManager tasks, AnvilConfig.Agent settings, AgentMetrics metrics) {
        this.store = store;
        this.tasks = tasks;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * @param macs normalised, valid MAC addresses (may be empty when {@code nodeUuid} is given)
     * @param issueToken false below microversion 1.62 (no token is generated then)
     */
    public Future<Found> lookup(List<String> macs, UUID nodeUuid, boolean issueToken) {
        metrics.lookups.increment();
        Future<JsonObject> node = nodeUuid != null ? store.find(Resources.NODE, nodeUuid.toString()) : byMacs(macs);
        return node.compose(row -> {
            if (row == null) {
                LOG.error("No node has been found during lookup (addresses {}, node_uuid {})", macs, nodeUuid);
                return Future.failedFuture(notFound());
            }
            String state = row.getString("provision_state");
            if (settings.restrictLookup()
                    && !ProvisionState.LOOKUP_ALLOWED_STATES.contains(ProvisionState.fromValue(state))) {
                LOG.error("Lookup is not allowed for node {} in the provision state {}", row.getString("uuid"), state);
                return Future.failedFuture(notFound());
            }
            if (!issueToken) {
                String present = internal(row).getString(AgentInternalInfo.TOKEN);
                return Future.succeededFuture(new Found(row, present == null ? null : AgentTokens.MASK));
            }
            return withToken(row);
        });
    }

    /** Ironic's get_node_with_token: "******" when one exists, else one issued under a try-once exclusive lock. */
    private Future<Found> withToken(JsonObject row) {
        if (internal(row).getString(AgentInternalInfo.TOKEN) != null) {
            LOG.warn(
                    "An agent token generation request is being refused as one is already present for node {}",
                    row.getString("uuid"));
            return Future.succeededFuture(new Found(row, AgentTokens.MASK));
        }
        return tasks.withTask(
                row.getString("uuid"),
                TaskOptions.exclusive("generate_token").tryOnce().withoutDriver(),
                task -> {
                    JsonObject info = internal(task.node()).copy();
                    if (info.getString(AgentInternalInfo.TOKEN) != null) {
                        return Future.succeededFuture(new Found(task.node(), AgentTokens.MASK));
                    }
                    String token = AgentTokens.generate();
                    info.put(AgentInternalInfo.TOKEN, token);
                    info.remove(AgentInternalInfo.TOKEN_PREGENERATED);
                    LOG.debug("Generating agent token for node {}", task.uuid());
                    return task.save(Map.of("driver_internal_info", info)).map(saved -> {
                        metrics.tokensIssued.increment();
                        return new Found(saved, token);
                    });
                });
    }

    /** Ironic's get_node_by_port_addresses: the one node owning any of these ports; several nodes is "not found". */
    private Future<JsonObject> byMacs(List<String> macs) {
        return store.database()
                .reads()
                .preparedQuery("SELECT DISTINCT node_id FROM ports WHERE address = ANY($1::text[]) LIMIT 2")
                .execute(Tuple.of(macs.toArray(new String[0])))
                .compose(rows -> {
                    List<Long> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getLong(0)));
                    if (ids.size() != 1) {
                        if (ids.size() > 1) {
                            LOG.error("Multiple nodes with port addresses {} were found", macs);
                        }
                        return Future.succeededFuture(null);
                    }
                    return store.findById(store.database().reads(), Resources.NODE, ids.get(0));
                });
    }

    private static JsonObject internal(JsonObject row) {
        JsonObject o = row.getJsonObject("driver_internal_info");
        return o == null ? new JsonObject() : o;
    }

    private static AnvilException notFound() {
        return AnvilException.notFound("Resource could not be found.");
    }

    /** Ironic's ramdisk.config(): what the agent configures itself with. */
    public JsonObject config(String token, JsonObject node) {
        return new JsonObject()
                .put(
                        "metrics",
                        new JsonObject()
                                .put("backend", "noop")
                                .put("prepend_host", false)
                                .put("prepend_uuid", false)
                                .put("prepend_host_reverse", true)
                                .putNull("global_prefix"))
                .put(
                        "metrics_statsd",
                        new JsonObject().put("statsd_host", "localhost").put("statsd_port", 8125))
                .put("heartbeat_timeout", settings.ramdiskHeartbeatTimeout())
                .put("agent_token", token)
                .put("agent_token_required", true)
                .put("agent_md5_checksum_enable", false)
                .put("disable_deep_image_inspection", false)
                .put(
                        "permitted_image_formats",
                        new JsonArray().add("raw").add("qcow2").add("iso"))
                .put("agent_skip_bmc_detect", false);
    }
}
