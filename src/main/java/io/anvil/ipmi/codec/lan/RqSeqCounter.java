package io.anvil.ipmi.codec.lan;

/**
 * The 6-bit requester sequence (rqSeq, 0..63) of IPMI v2.0 §13.8. One counter per (requester, BMC) pair; keep the same
 * rqSeq on a retransmission so that a late answer to the first try still matches. Not thread-safe: owned
 * by one session state machine.
 */
public final class RqSeqCounter {

    private int next;

    public RqSeqCounter() {
        this(1);
    }

    public RqSeqCounter(int first) {
        this.next = first & 0x3F;
    }

    public int next() {
        int v = next;
        next = (next + 1) & 0x3F;
        return v;
    }
}
