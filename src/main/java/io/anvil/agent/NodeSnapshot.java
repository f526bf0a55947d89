package io.anvil.agent;

import java.util.UUID;

/**
 * The columns of a node a heartbeat is checked against, read without a lock: the state, maintenance, the deploy
 * interface and the agent's token and URL from driver_internal_info. Never printed (it holds the token).
 */
record NodeSnapshot(
        UUID id,
        String uuid,
        String name,
        String provisionState,
        boolean maintenance,
        String deployInterface,
        String token,
        String agentUrl) {
    @Override
    public String toString() {
        return "NodeSnapshot[" + uuid + ", " + provisionState + "]";
    }
}
