package io.anvil.ipmi.client;

import io.vertx.core.Future;

/**
 * An activated Serial-over-LAN payload (IPMI v2.0 §15, §24.1) in its own RMCP+ session (§13.28 suites: the SOL
 * packets get the session's integrity and confidentiality). Output from the host reaches the handler given to
 * {@link IpmiClient#activateSol}; input is queued and sent in acknowledged, retransmitted SOL packets. Usable from any
 * context; futures complete on the caller's context.
 */
public interface SolSession {

    /** Queues characters for the host's serial port; fails when the session has ended or the queue is full. */
    Future<Void> write(byte[] data);

    /** Asks the BMC to generate a break on the serial line (§15.9, operation bit 4). */
    Future<Void> sendBreak();

    /** Deactivate Payload (§24.2) and Close Session; idempotent. */
    Future<Void> close();

    /**
     * Completes when the session ends: succeeded after {@link #close()}, failed when the BMC deactivated the payload
     * or stopped answering (the owner may then activate again).
     */
    Future<Void> ended();

    /** Characters sent and acknowledged by the BMC, characters received, SOL packets retransmitted. */
    SolStats stats();

    record SolStats(long charsSent, long charsReceived, long retransmits) {}
}
