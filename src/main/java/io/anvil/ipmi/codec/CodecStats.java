package io.anvil.ipmi.codec;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe drop counters shared by a codec and the sessions behind it. One instance per socket is the
 * intended granularity; the numbers are meant for metrics (a BMC that keeps sending bad ICVs is a wrong
 * password or a firmware bug, see docs/ipmi.md#interop-pitfalls, pitfall 6).
 */
public final class CodecStats {

    private final AtomicLong malformed = new AtomicLong();
    private final Map<IpmiDecodeException.Reason, AtomicLong> byReason =
            new EnumMap<>(IpmiDecodeException.Reason.class);

    public CodecStats() {
        for (IpmiDecodeException.Reason reason : IpmiDecodeException.Reason.values()) {
            byReason.put(reason, new AtomicLong());
        }
    }

    /** Counts one dropped packet. */
    public void record(IpmiDecodeException.Reason reason) {
        malformed.incrementAndGet();
        byReason.get(reason).incrementAndGet();
    }

    /** Counts one dropped packet. */
    public void record(IpmiDecodeException e) {
        record(e.reason());
    }

    /** Total number of dropped packets, whatever the reason. */
    public long malformed() {
        return malformed.get();
    }

    /** Number of packets dropped for one reason. */
    public long malformed(IpmiDecodeException.Reason reason) {
        return byReason.get(reason).get();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CodecStats[malformed=").append(malformed.get());
        byReason.forEach((reason, count) -> {
            if (count.get() > 0) {
                sb.append(", ").append(reason).append('=').append(count.get());
            }
        });
        return sb.append(']').toString();
    }
}
