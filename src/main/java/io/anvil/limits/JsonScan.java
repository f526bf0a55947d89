package io.anvil.limits;

import io.vertx.core.buffer.Buffer;

/**
 * One pass over a JSON request body's bytes before anything decodes it: its nesting depth, so a deeply nested body is
 * refused without building (or recursing into) its tree, and any {@code \u0000} escape, a NUL character PostgreSQL
 * cannot store in text. Brackets inside strings do not count: the scan tracks string literals and their backslash
 * escapes. Malformed JSON is left for the decoder to refuse.
 */
public final class JsonScan {
    /** What the scan found. */
    public enum Verdict {
        OK,
        TOO_DEEP,
        NUL
    }

    private JsonScan() {}

    /** TOO_DEEP when an array or object is nested deeper than {@code maxDepth} (the top level is 1). */
    public static Verdict scan(Buffer json, int maxDepth) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        int n = json.length();
        for (int i = 0; i < n; i++) {
            byte c = json.getByte(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                    if (c == 'u' && isNul(json, i + 1)) {
                        return Verdict.NUL;
                    }
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > maxDepth) {
                    return Verdict.TOO_DEEP;
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return Verdict.OK;
    }

    /** Whether no array or object in {@code json} is nested deeper than {@code max} levels. */
    public static boolean within(Buffer json, int max) {
        return scan(json, max) != Verdict.TOO_DEEP;
    }

    private static boolean isNul(Buffer json, int from) {
        if (from + 4 > json.length()) {
            return false;
        }
        for (int k = 0; k < 4; k++) {
            if (json.getByte(from + k) != '0') {
                return false;
            }
        }
        return true;
    }
}
