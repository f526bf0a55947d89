package io.anvil.limits;

import io.vertx.core.buffer.Buffer;

/**
 * The nesting depth of a JSON text, found by one pass over its bytes before anything decodes it, so a deeply nested
 * body is refused without building (or recursing into) its tree. Brackets inside strings do not count: the scan tracks
 * string literals and their backslash escapes. Malformed JSON is left for the decoder to refuse.
 */
public final class JsonDepth {
    private JsonDepth() {}

    /** Whether no array or object in {@code json} is nested deeper than {@code max} levels (the top level is 1). */
    public static boolean within(Buffer json, int max) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        int n = json.length();
        for (int i = 0; i < n; i++) {
            byte c = json.getByte(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > max) {
                    return false;
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return true;
    }
}
