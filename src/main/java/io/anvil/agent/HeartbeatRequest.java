package io.anvil.agent;

import io.anvil.driver.AgentReport;

/** One heartbeat as the API parsed it (fields already checked against the microversion). */
public record HeartbeatRequest(
        String nodeIdent,
        String callbackUrl,
        String agentVersion,
        String agentToken,
        String agentVerifyCa,
        String agentStatus,
        String agentStatusMessage) {

    /** What the deploy interface hears: everything but the token. */
    AgentReport report() {
        return new AgentReport(callbackUrl, agentVersion, agentVerifyCa, agentStatus, agentStatusMessage);
    }

    @Override
    public String toString() {
        // never print the token
        return "HeartbeatRequest[node=" + nodeIdent + ", callback_url=" + callbackUrl + ", agent_version="
                + agentVersion + ", agent_status=" + agentStatus + "]";
    }
}
