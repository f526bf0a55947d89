package io.anvil.ipmi.client;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of an {@link IpmiClient}'s counters; cheap, callable from any thread.
 *
 * @param sessionsOpen      sessions established and not yet closed
 * @param sessionsOpened    handshakes that completed (reuse shows as few opens for many operations)
 * @param sessionsClosed    sessions closed with Close Session (or dropped after a timeout)
 * @param handshakeRestarts whole RMCP+ handshakes started over after a transient failure
 * @param datagramsSent     every datagram, including retransmissions
 * @param datagramsReceived every datagram the sockets delivered, good or bad
 * @param retransmits       datagrams sent again because the previous try timed out
 * @param timeouts          requests that failed after all tries
 * @param requestsPending   requests waiting for an answer right now (0 when the client is idle)
 * @param malformedDropped  datagrams dropped as malformed: codec rejects plus session-layer rejects
 *                          (ICV, auth code, decryption, checksum, sequence window)
 * @param unmatchedDropped  well-formed datagrams nobody waited for (late duplicates, unknown session ids)
 * @param keepalives        keepalive commands sent on idle sessions
 * @param circuitRejections operations failed fast by an open circuit breaker
 * @param bmcs              per BMC ({@code host:port}) governor figures
 */
public record ClientStats(
        long sessionsOpen,
        long sessionsOpened,
        long sessionsClosed,
        long handshakeRestarts,
        long datagramsSent,
        long datagramsReceived,
        long retransmits,
        long timeouts,
        long requestsPending,
        long malformedDropped,
        long unmatchedDropped,
        long keepalives,
        long circuitRejections,
        Map<String, BmcStats> bmcs) {

    /**
     * Governor figures of one BMC.
     *
     * @param circuit             CLOSED, OPEN or HALF_OPEN
     * @param queued              operations waiting for their turn
     * @param inFlight            operations running now
     * @param maxInFlightObserved highest {@code inFlight} ever seen (≤ the cap)
     * @param operationsStarted   operations that got their turn
     * @param recent              the last finished operations (up to 256), in completion order
     */
    public record BmcStats(
            String bmc,
            String circuit,
            int queued,
            int inFlight,
            int maxInFlightObserved,
            long operationsStarted,
            long operationsFailed,
            List<Operation> recent) {

        @Override
        public String toString() {
            return "BmcStats[" + bmc + ", circuit=" + circuit + ", queued=" + queued + ", inFlight=" + inFlight
                    + ", maxInFlightObserved=" + maxInFlightObserved + ", started=" + operationsStarted
                    + ", failed=" + operationsFailed + ", recent=" + recent.size() + " operations]";
        }
    }

    /**
     * One operation the governor ran.
     *
     * @param ticket     arrival number at the governor (FIFO: start order = ticket order)
     * @param label      what it was, e.g. {@code getChassisStatus}
     * @param startNanos {@link System#nanoTime()} when it got its turn
     * @param endNanos   when it finished
     */
    public record Operation(long ticket, String label, long startNanos, long endNanos, boolean succeeded) {}
}
