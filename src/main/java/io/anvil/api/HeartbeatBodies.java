package io.anvil.api;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The heartbeat body as agents send it, read in one pass over its bytes (no parser objects, no tree, no map; this
 * path ran at tens of thousands of requests a second in docs/benchmarks.md): a JSON object whose members are all known
 * heartbeat fields with string or null values, in printable ASCII without escapes. Anything else (not JSON, not an
 * object, an unknown field, a non-string value, an escape or a non-ASCII byte, trailing content) answers null and the
 * caller takes the general JSON path, which owns every error message and every other spelling, so this is only ever a
 * faster way to the same result.
 */
final class HeartbeatBodies {
    /** Ironic's heartbeat arguments (ramdisk.py HeartbeatController.post), in the order of the parsed array. */
    static final List<String> FIELDS = List.of(
            "callback_url", "agent_version", "agent_token", "agent_verify_ca", "agent_status", "agent_status_message");

    static final int CALLBACK_URL = 0;
    static final int AGENT_VERSION = 1;
    static final int AGENT_TOKEN = 2;
    static final int AGENT_VERIFY_CA = 3;
    static final int AGENT_STATUS = 4;
    static final int AGENT_STATUS_MESSAGE = 5;

    private static final byte[][] NAMES =
            FIELDS.stream().map(f -> f.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private HeartbeatBodies() {}

    /** The six fields (absent and null alike: null), or null when the body needs the general path. */
    static String[] parse(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        byte[] b = body.getBytes();
        String[] fields = new String[NAMES.length];
        int i = skip(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        i = skip(b, i + 1);
        if (i < b.length && b[i] == '}') {
            return skip(b, i + 1) == b.length ? fields : null;
        }
        while (true) {
            // "name"
            int nameEnd = stringEnd(b, i);
            if (nameEnd < 0) {
                return null;
            }
            int field = field(b, i + 1, nameEnd);
            if (field < 0) {
                return null;
            }
            i = skip(b, nameEnd + 1);
            if (i >= b.length || b[i] != ':') {
                return null;
            }
            i = skip(b, i + 1);
            // "value" or null; a repeated member: the last wins, as in the general path's map
            if (i + 4 <= b.length && b[i] == 'n' && b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l') {
                fields[field] = null;
                i += 4;
            } else {
                int valueEnd = stringEnd(b, i);
                if (valueEnd < 0) {
                    return null;
                }
                fields[field] = new String(b, i + 1, valueEnd - i - 1, StandardCharsets.ISO_8859_1);
                i = valueEnd + 1;
            }
            i = skip(b, i);
            if (i >= b.length) {
                return null;
            }
            if (b[i] == '}') {
                return skip(b, i + 1) == b.length ? fields : null;
            }
            if (b[i] != ',') {
                return null;
            }
            i = skip(b, i + 1);
        }
    }

    /** The index past JSON whitespace from {@code i}. */
    private static int skip(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    /** The index of the closing quote of a plain string opening at {@code i}; -1 if not one (escape, non-ASCII). */
    private static int stringEnd(byte[] b, int i) {
        if (i >= b.length || b[i] != '"') {
            return -1;
        }
        for (int j = i + 1; j < b.length; j++) {
            byte c = b[j];
            if (c == '"') {
                return j;
            }
            if (c == '\\' || c < 0x20 || c == 0x7f) { // c < 0 for every non-ASCII byte
                return -1;
            }
        }
        return -1;
    }

    private static int field(byte[] b, int from, int to) {
        for (int f = 0; f < NAMES.length; f++) {
            byte[] name = NAMES[f];
            if (name.length == to - from && java.util.Arrays.equals(b, from, to, name, 0, name.length)) {
                return f;
            }
        }
        return -1;
    }
}
