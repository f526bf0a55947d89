package io.anvil.ipmi.codec.session;

/**
 * Outbound session sequence numbers (docs/ipmi.md#sequence-numbers): strictly increasing, a fresh number for every
 * datagram including retransmissions, never 0 (skipped on wrap). RMCP+ sessions start at 1; v1.5 sessions start at the
 * initial inbound sequence number the BMC returned in Activate Session (docs/ipmi.md#v15-sessions). Not thread-safe.
 */
public final class SessionSequence {

    private int next;

    public SessionSequence(int first) {
        this.next = first == 0 ? 1 : first;
    }

    /** Starts at 1, as FreeIPMI does for RMCP+. */
    public static SessionSequence startingAtOne() {
        return new SessionSequence(1);
    }

    public int next() {
        int value = next;
        next = next + 1 == 0 ? 1 : next + 1;
        return value;
    }

    public int peek() {
        return next;
    }
}
