package io.anvil.fsm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare metal API microversion, {@code major.minor} ({@code ironic/api/controllers/v1/versions.py}). Ordered
 * numerically, so 1.9 &lt; 1.73 &lt; 1.110.
 */
public record Microversion(int major, int minor) implements Comparable<Microversion> {

    /** The oldest version; a request without a version header uses it (versions.py). */
    public static final Microversion MIN = of(1);

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})");

    public Microversion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("Negative microversion " + major + "." + minor);
        }
    }

    /** {@code 1.<minor>}. */
    public static Microversion of(int minor) {
        return new Microversion(1, minor);
    }

    /**
     * Parses {@code "1.73"}; {@code latest} is the API's business, not this type's.
     *
     * @throws IllegalArgumentException if the text is not {@code <digits>.<digits>}
     */
    public static Microversion parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("Invalid microversion: " + text);
        }
        return new Microversion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean isAtLeast(Microversion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(Microversion other) {
        int byMajor = Integer.compare(major, other.major);
        return byMajor != 0 ? byMajor : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
