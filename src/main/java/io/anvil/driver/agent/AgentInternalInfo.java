package io.anvil.driver.agent;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The agent's keys in a node's {@code driver_internal_info} and Ironic's rules for wiping them
 * ({@code conductor/utils.py}: {@code wipe_internal_info_on_power_off}, {@code wipe_token_and_url}). Pure functions
 * on JSON: callers save the result under the node's exclusive lock.
 */
public final class AgentInternalInfo {
    public static final String TOKEN = "agent_secret_token";
    public static final String TOKEN_PREGENERATED = "agent_secret_token_pregenerated";
    public static final String URL = "agent_url";
    public static final String VERSION = "agent_version";
    public static final String LAST_HEARTBEAT = "agent_last_heartbeat";
    public static final String VERIFY_CA = "agent_verify_ca";
    public static final String STATUS = "agent_status";
    public static final String STATUS_MESSAGE = "agent_status_message";

    private static final List<String> STEP_CACHES =
            List.of("agent_cached_deploy_steps", "agent_cached_clean_steps", "agent_cached_service_steps");

    private AgentInternalInfo() {}

    public static boolean pregenerated(JsonObject internal) {
        return internal != null && Boolean.TRUE.equals(internal.getValue(TOKEN_PREGENERATED));
    }

    /**
     * Ironic's wipe_internal_info_on_power_off: a powered-off (or rebooted) node's agent is gone, so its URL, its
     * token (unless pre-generated into virtual media, which the next boot presents again), its certificate and its
     * cached steps go too. Returns null when there was nothing to wipe (so callers skip the write).
     */
    public static JsonObject wipedOnPowerOff(JsonObject internal) {
        if (internal == null) {
            return null;
        }
        JsonObject out = internal.copy();
        out.remove(URL);
        if (!pregenerated(out)) {
            out.remove(TOKEN);
        }
        STEP_CACHES.forEach(out::remove);
        out.remove(VERIFY_CA);
        out.remove("agent_start_attempted");
        return out.equals(internal) ? null : out;
    }

    /**
     * Ironic's wipe_token_and_url, at the end of a deploy, clean or service: the next operation boots a new agent
     * that looks up again and gets a new token. Returns null when there was nothing to wipe.
     */
    public static JsonObject wipedTokenAndUrl(JsonObject internal) {
        if (internal == null) {
            return null;
        }
        JsonObject out = internal.copy();
        out.remove(TOKEN);
        out.remove(TOKEN_PREGENERATED);
        out.remove(URL);
        out.remove(VERIFY_CA);
        return out.equals(internal) ? null : out;
    }
}
