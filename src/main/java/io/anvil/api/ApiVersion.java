package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Ironic's microversion: {@code X-OpenStack-Ironic-API-Version: 1.N} or {@code OpenStack-API-Version: baremetal 1.N},
 * or {@code latest}. No header means the minimum, 1.1; out of range or unparseable is 406.
 */
public record ApiVersion(int minor) implements Comparable<ApiVersion> {
    public static final ApiVersion MIN = new ApiVersion(1);
    /** python3-ironicclient 5.0.1 (Debian's baremetal CLI) negotiates 1.78. */
    public static final ApiVersion MAX = new ApiVersion(78);

    public static final String HEADER = "X-OpenStack-Ironic-API-Version";
    public static final String MIN_HEADER = "X-OpenStack-Ironic-API-Minimum-Version";
    public static final String MAX_HEADER = "X-OpenStack-Ironic-API-Maximum-Version";
    public static final String GENERIC_HEADER = "OpenStack-API-Version";

    public static ApiVersion of(HttpServerRequest req) {
        String v = req.getHeader(HEADER);
        if (v == null) {
            String generic = req.getHeader(GENERIC_HEADER);
            if (generic != null) {
                String g = generic.trim();
                if (!g.regionMatches(true, 0, "baremetal ", 0, 10)) {
                    return MIN;
                }
                v = g.substring(10).trim();
            }
        }
        return v == null ? MIN : parse(v);
    }

    public static ApiVersion parse(String raw) {
        String v = raw.trim();
        if (v.equalsIgnoreCase("latest")) {
            return MAX;
        }
        int dot = v.indexOf('.');
        if (dot < 0) {
            throw AnvilException.notAcceptable("Invalid value for " + HEADER + " header: " + raw);
        }
        int major;
        int minor;
        try {
            major = Integer.parseInt(v.substring(0, dot));
            minor = Integer.parseInt(v.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw AnvilException.notAcceptable("Invalid value for " + HEADER + " header: " + raw);
        }
        if (major != 1 || minor < MIN.minor || minor > MAX.minor) {
            throw AnvilException.notAcceptable(
                    "Version " + v + " was requested but the minor version is not supported by "
                            + "this service. The supported version range is: [" + MIN + ", " + MAX + "].");
        }
        return new ApiVersion(minor);
    }

    public boolean atLeast(int minorVersion) {
        return minor >= minorVersion;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return "1." + minor;
    }
}
