package io.anvil.ipmi.codec.session;

/**
 * Receive-side sequence check (docs/ipmi.md#sequence-numbers): drop 0, drop duplicates, accept numbers up to
 * {@code behind} below the highest seen (late/reordered datagrams) and up to {@code ahead} above it
 * (datagrams lost in between). Numbers are compared with 32-bit wrap-around.
 *
 * <p>FreeIPMI uses a window of 8 (max 32). v1.5 BMCs such as ipmi_sim repeat a sequence number on
 * consecutive responses (docs/ipmi.md#v15-sessions), so v1.5 sessions construct this with {@code allowRepeats = true}.
 * Not thread-safe: owned by one session.
 */
public final class SequenceWindow {

    public static final int DEFAULT_WINDOW = 8;
    public static final int MAX_WINDOW = 32;

    private final int behind;
    private final int ahead;
    private final boolean allowRepeats;
    private boolean started;
    private int highest;
    /** Bit i set = (highest - i) was accepted. */
    private long seen;

    public SequenceWindow(int behind, int ahead, boolean allowRepeats) {
        if (behind < 0 || behind > MAX_WINDOW || ahead < 1 || ahead > MAX_WINDOW) {
            throw new IllegalArgumentException("window sizes must be within 0.." + MAX_WINDOW);
        }
        this.behind = behind;
        this.ahead = ahead;
        this.allowRepeats = allowRepeats;
    }

    /** RMCP+ default: 8 behind, 32 ahead, no repeats. */
    public static SequenceWindow rmcpPlus() {
        return new SequenceWindow(DEFAULT_WINDOW, MAX_WINDOW, false);
    }

    /** v1.5 default: like RMCP+ but repeats are tolerated. */
    public static SequenceWindow v15() {
        return new SequenceWindow(DEFAULT_WINDOW, MAX_WINDOW, true);
    }

    /** Returns true and records {@code seq} if it is acceptable. */
    public boolean accept(int seq) {
        if (seq == 0) {
            return false;
        }
        if (!started) {
            started = true;
            highest = seq;
            seen = 1;
            return true;
        }
        long diff = (long) seq - highest; // wrap-around distance in (-2^31, 2^31]
        diff = (int) diff;
        if (diff > 0) {
            if (diff > ahead) {
                return false;
            }
            seen = (seen << diff) | 1;
            highest = seq;
            return true;
        }
        long back = -diff;
        if (back > behind) {
            return false;
        }
        long bit = 1L << back;
        if ((seen & bit) != 0 && !allowRepeats) {
            return false;
        }
        seen |= bit;
        return true;
    }

    public int highest() {
        return highest;
    }
}
