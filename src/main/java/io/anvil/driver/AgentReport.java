package io.anvil.driver;

/**
 * What one accepted heartbeat of a ramdisk agent said (Ironic's heartbeat RPC arguments), handed to the deploy
 * interface's heartbeat hook. The agent token is not part of it: it was checked at intake and is never passed on.
 *
 * @param callbackUrl the agent's command API ({@code ""} for one-way agents such as anaconda)
 * @param agentVersion may be null when {@code agentStatus} is set
 * @param agentVerifyCa PEM of the agent's self-signed certificate, or null
 * @param agentStatus {@code start}, {@code end}, {@code error} or null
 * @param agentStatusMessage free text or null
 */
public record AgentReport(
        String callbackUrl, String agentVersion, String agentVerifyCa, String agentStatus, String agentStatusMessage) {}
