package io.anvil.events;

import io.anvil.util.Secrets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stored payload's JSON text (PostgreSQL's {@code jsonb::text}) made ready for the wire in one pass, without
 * building it as objects: the text compacted (the whitespace PostgreSQL puts after {@code :} and {@code ,} dropped,
 * as Jackson writes it), the top-level string fields the feed's filters read, and whether every key that names a
 * secret ({@link Secrets#isSecretKey}) already holds {@link Secrets#MASK} or null. The outbox stores payloads masked;
 * a payload that is not ({@link #of} returns null) takes the slow path: parsed, masked, encoded again.
 */
final class PayloadText {
    private static final String MASKED = "\"" + Secrets.MASK + "\"";
    /** Deeper nesting than this takes the slow path (a node payload is 3–4 levels deep). */
    private static final int MAX_DEPTH = 64;

    private static final int MAX_REMEMBERED_KEYS = 4096;
    private static final ConcurrentHashMap<String, Boolean> SECRET_KEYS = new ConcurrentHashMap<>();

    final String compact;
    final String name;
    final String nodeName;
    final String owner;
    final String lessee;
    final String conductorGroup;

    private PayloadText(
            String compact, String name, String nodeName, String owner, String lessee, String conductorGroup) {
        this.compact = compact;
        this.name = name;
        this.nodeName = nodeName;
        this.owner = owner;
        this.lessee = lessee;
        this.conductorGroup = conductorGroup;
    }

    /**
     * The payload ready for the wire, or null when it must be parsed and masked first: a secret-named key with a value
     * other than the mask or null, an escape in a key or in a field read here, nesting beyond {@value #MAX_DEPTH}, or
     * text that is not one JSON object.
     */
    static PayloadText of(String json) {
        int n = json.length();
        StringBuilder out = new StringBuilder(n);
        boolean[] inObject = new boolean[MAX_DEPTH + 1];
        int depth = 0;
        boolean expectKey = false;
        String key = null; // the key whose value comes next, at any depth
        boolean secret = false; // whether that key names a secret
        String name = null, nodeName = null, owner = null, lessee = null, group = null;
        int i = 0;
        while (i < n) {
            char c = json.charAt(i);
            switch (c) {
                case ' ', '\t', '\n', '\r' -> {
                    i++;
                    continue;
                }
                case '{', '[' -> {
                    if (key != null && secret) {
                        return null; // a secret holding an object or array: not masked
                    }
                    key = null;
                    if (++depth > MAX_DEPTH) {
                        return null;
                    }
                    inObject[depth] = c == '{';
                    expectKey = c == '{';
                    out.append(c);
                    i++;
                    continue;
                }
                case '}', ']' -> {
                    if (depth == 0 || inObject[depth] != (c == '}')) {
                        return null;
                    }
                    depth--;
                    expectKey = false;
                    out.append(c);
                    i++;
                    if (depth == 0 && i < n && !json.substring(i).isBlank()) {
                        return null; // text after the object
                    }
                    continue;
                }
                case ',' -> {
                    expectKey = depth > 0 && inObject[depth];
                    out.append(c);
                    i++;
                    continue;
                }
                case ':' -> {
                    out.append(c);
                    i++;
                    continue;
                }
                case '"' -> {
                    long scanned = scanString(json, i);
                    if (scanned < 0) {
                        return null;
                    }
                    int end = (int) scanned;
                    boolean escaped = (scanned >>> 32) != 0;
                    if (expectKey) {
                        if (escaped) {
                            return null; // a key spelled with escapes might hide a secret's name
                        }
                        key = json.substring(i + 1, end);
                        secret = isSecret(key);
                        expectKey = false;
                    } else {
                        if (key != null && secret && !json.startsWith(MASKED, i)) {
                            return null;
                        }
                        if (depth == 1 && key != null && isField(key)) {
                            if (escaped) {
                                return null;
                            }
                            String value = json.substring(i + 1, end);
                            switch (key) {
                                case "name" -> name = value;
                                case "node_name" -> nodeName = value;
                                case "owner" -> owner = value;
                                case "lessee" -> lessee = value;
                                default -> group = value;
                            }
                        }
                        key = null;
                    }
                    out.append(json, i, end + 1);
                    i = end + 1;
                    continue;
                }
                default -> {
                    // a number, true, false or null: copied as it is
                    if (depth == 0) {
                        return null;
                    }
                    int end = i;
                    while (end < n && "{}[],: \t\n\r\"".indexOf(json.charAt(end)) < 0) {
                        end++;
                    }
                    if (key != null && secret && !json.startsWith("null", i)) {
                        return null;
                    }
                    key = null;
                    out.append(json, i, end);
                    i = end;
                }
            }
        }
        if (depth != 0 || out.length() == 0 || out.charAt(0) != '{') {
            return null;
        }
        return new PayloadText(out.toString(), name, nodeName, owner, lessee, group);
    }

    /** Payloads repeat the same few hundred key names: their verdicts are remembered, up to a bound. */
    private static boolean isSecret(String key) {
        Boolean known = SECRET_KEYS.get(key);
        if (known != null) {
            return known;
        }
        boolean secret = Secrets.isSecretKey(key);
        if (SECRET_KEYS.size() < MAX_REMEMBERED_KEYS) {
            SECRET_KEYS.put(key, secret);
        }
        return secret;
    }

    private static boolean isField(String key) {
        return switch (key) {
            case "name", "node_name", "owner", "lessee", "conductor_group" -> true;
            default -> false;
        };
    }

    /**
     * The index of the quote that closes the string opened at {@code open}, with bit 32 set when the string holds an
     * escape; -1 if it is not closed.
     */
    private static long scanString(String json, int open) {
        long escaped = 0;
        for (int i = open + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                escaped = 1L << 32;
                i++;
            } else if (c == '"') {
                return escaped | i;
            }
        }
        return -1;
    }
}
