package io.anvil.agent;

import io.anvil.store.SqlValues;
import java.util.UUID;

/**
 * Node identifiers on the heartbeat path: an agent sends its node's UUID in the canonical 36-character form, which is
 * parsed here by hand (a regex match and string rebuilding per heartbeat showed up in profiles, docs/benchmarks.md);
 * every other spelling goes to {@link SqlValues#uuidOrNull}, so what counts as a UUID does not change.
 */
public final class NodeIdents {
    private NodeIdents() {}

    /** The UUID {@code ident} spells, or null for a name (or anything that is not a UUID). */
    public static UUID uuidOrNull(String ident) {
        UUID canonical = canonical(ident);
        return canonical != null ? canonical : SqlValues.uuidOrNull(ident);
    }

    /** xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in either case, or null. */
    public static UUID canonical(String s) {
        if (s == null || s.length() != 36) {
            return null;
        }
        long hi = 0;
        long lo = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0 || c > 'f') { // Character.digit also takes non-ASCII digits
                return null;
            }
            if (digits < 16) {
                hi = hi << 4 | d;
            } else {
                lo = lo << 4 | d;
            }
            digits++;
        }
        return new UUID(hi, lo);
    }
}
