package io.anvil.secrets;

import io.anvil.errors.AnvilException;
import io.anvil.util.Secrets;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts secret values inside a node's JSON documents and decrypts them again (docs/security.md#secrets-at-rest).
 * Every value under a key {@link Secrets#isSecretKey} names (the keys the API masks), except booleans, is stored as
 * {@code anvil:enc:v1:<key-id>:<base64(nonce | ciphertext | tag)>}: AES-256-GCM with a random 96-bit nonce per value,
 * the plaintext being the value's JSON encoding (so a number or a configdrive object round-trips), the
 * {@code anvil:enc:v1:<key-id>} header authenticated as associated data. The other fields stay plain jsonb, queryable.
 *
 * <p>Values already sealed are kept as they are; plaintext values (rows written before encryption, or with
 * {@code secrets.allow_plaintext}) are read as they are. A value that cannot be decrypted is an {@link Unreadable}
 * naming the field and the key, never garbage. One value costs microseconds: fine for the values of one node per
 * request; bulk re-encryption runs in {@code anvil secrets rotate}.
 */
public final class SecretBox {
    public static final String PREFIX = "anvil:enc:";
    static final String V1 = PREFIX + "v1:";
    /** The node columns that may hold secrets. */
    public static final List<String> NODE_COLUMNS = List.of("driver_info", "instance_info", "driver_internal_info");

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    });

    private final SecretKeys keys;

    public SecretBox(SecretKeys keys) {
        this.keys = keys;
    }

    /** No key: stores values as given and reads plaintext only (secrets.allow_plaintext). */
    public static SecretBox plaintext() {
        return new SecretBox(SecretKeys.none());
    }

    public SecretKeys keys() {
        return keys;
    }

    /** Whether new values are encrypted (a key is configured). */
    public boolean encrypts() {
        return !keys.isEmpty();
    }

    public static boolean isSealed(Object value) {
        return value instanceof String s && s.startsWith(PREFIX);
    }

    /** Whether {@code value} under {@code key} is one this box encrypts. */
    static boolean isSecretValue(String key, Object value) {
        return value != null && !(value instanceof Boolean) && Secrets.isSecretKey(key);
    }

    /**
     * Refuses (400) a value given through the API that holds a string looking like a sealed one: stored as it is, it
     * would be taken for Anvil's own ciphertext and fail to decrypt later.
     *
     * @param field the API field, for the message
     */
    public static void refuseSealedInput(String field, Object value) {
        if (value == null) {
            return;
        }
        boolean[] found = {false};
        findSealed(value, found);
        if (found[0]) {
            throw AnvilException.invalid("Invalid value for " + field + ": strings beginning with '" + PREFIX
                    + "' are reserved for secrets Anvil encrypted.");
        }
    }

    private static void findSealed(Object v, boolean[] found) {
        if (isSealed(v)) {
            found[0] = true;
        } else if (v instanceof JsonObject o) {
            o.forEach(e -> findSealed(e.getValue(), found));
        } else if (v instanceof JsonArray a) {
            a.forEach(x -> findSealed(x, found));
        } else if (v instanceof Map<?, ?> m) {
            m.values().forEach(x -> findSealed(x, found));
        } else if (v instanceof List<?> l) {
            l.forEach(x -> findSealed(x, found));
        }
    }

    /** The key id of a sealed value; null when it is not one. */
    public static String keyIdOf(String sealed) {
        if (sealed == null || !sealed.startsWith(V1)) {
            return null;
        }
        int end = sealed.indexOf(':', V1.length());
        return end < 0 ? null : sealed.substring(V1.length(), end);
    }

    // ---- one value ----

    /** Encrypts one value under the active key; as given when there is no key or it is sealed already. */
    public Object seal(Object value) {
        if (value == null || keys.isEmpty() || isSealed(value)) {
            return value;
        }
        String id = keys.activeId();
        SecretKey key = keys.active();
        byte[] plain = Json.encode(value).getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        String header = V1 + id;
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(header.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = c.doFinal(plain);
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length);
            out.put(nonce).put(sealed);
            return header + ":" + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * The value of a sealed string (a String, number or JSON object, as it was given); any other value as it is.
     *
     * @param where what the value is, for the error message ("driver_info.ipmi_password of node X")
     */
    public Object open(Object value, String where) {
        if (!isSealed(value)) {
            return value;
        }
        String s = (String) value;
        String id = keyIdOf(s);
        if (id == null) {
            throw new Unreadable(where + " is not a value Anvil encrypted (unknown format " + formatOf(s) + ")");
        }
        SecretKey key = keys.byId(id);
        if (key == null) {
            throw new Unreadable(where + " is encrypted with key '" + id + "', which is not configured ("
                    + (keys.isEmpty() ? "no key is" : "configured: " + String.join(", ", keys.sortedIds()))
                    + "); add that key to secrets.key_file or ANVIL_SECRETS_KEY");
        }
        String header = V1 + id;
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(s.substring(header.length() + 1));
        } catch (IllegalArgumentException e) {
            throw new Unreadable(where + " is damaged (not base64)");
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new Unreadable(where + " is damaged (too short)");
        }
        byte[] plain;
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            c.updateAAD(header.getBytes(StandardCharsets.US_ASCII));
            plain = c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new Unreadable(where + " cannot be decrypted with key '" + id
                    + "': the key with that id is not the one it was encrypted with, or the value was altered");
        } catch (GeneralSecurityException e) {
            throw new Unreadable(where + " cannot be decrypted with key '" + id + "': " + e.getMessage());
        }
        try {
            return Json.decodeValue(new String(plain, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new Unreadable(where + " decrypted to something that is not JSON");
        }
    }

    /** The value as a string ({@code open} of a sealed string), for the agent token. */
    public String openString(String value, String where) {
        Object v = open(value, where);
        return v == null ? null : v instanceof String str ? str : Json.encode(v);
    }

    private static String formatOf(String s) {
        int end = s.indexOf(':', PREFIX.length());
        return end < 0 ? "?" : s.substring(0, end);
    }

    // ---- JSON documents ----

    /** A copy of {@code doc} with every secret value sealed under the active key (sealed ones kept); null for null. */
    public JsonObject sealAll(JsonObject doc) {
        if (doc == null || keys.isEmpty()) {
            return doc;
        }
        return (JsonObject) walk(doc, (k, v) -> isSealed(v) ? v : seal(v));
    }

    /**
     * A copy of {@code doc} with every sealed value decrypted.
     *
     * @param column the document's name in messages ("driver_info")
     * @param owner  whose document, in messages ("node 1be2...")
     */
    public JsonObject openAll(JsonObject doc, String column, String owner) {
        if (doc == null) {
            return null;
        }
        return (JsonObject) walk(doc, (k, v) -> open(v, column + "." + k + " of " + owner));
    }

    /**
     * A copy of {@code doc} with every secret value under the active key: plaintext sealed, values under another key
     * decrypted and sealed again; null when nothing needed it (all already under the active key, or no key).
     */
    public JsonObject reseal(JsonObject doc, String column, String owner) {
        return reseal(doc, column, owner, null);
    }

    /**
     * Like {@link #reseal(JsonObject, String, String)}; a value that cannot be decrypted goes to {@code dropped} and
     * leaves the document (the remedy when its key is lost for good), or, with {@code dropped} null, fails.
     */
    public JsonObject reseal(
            JsonObject doc, String column, String owner, java.util.function.Consumer<Unreadable> dropped) {
        if (doc == null || keys.isEmpty()) {
            return null;
        }
        boolean[] changed = {false};
        String active = keys.activeId();
        JsonObject out = (JsonObject) walk(doc, (k, v) -> {
            if (isSealed(v) && active.equals(keyIdOf((String) v))) {
                return v;
            }
            changed[0] = true;
            try {
                return seal(open(v, column + "." + k + " of " + owner));
            } catch (Unreadable e) {
                if (dropped == null) {
                    throw e;
                }
                dropped.accept(e);
                return DROP;
            }
        });
        return changed[0] ? out : null;
    }

    /** What a visit returns to leave the key out of the copy. */
    private static final Object DROP = new Object();

    /** Adds the secret values of {@code doc} to {@code counts}: by key id, or "plaintext". */
    public static void count(JsonObject doc, Map<String, Integer> counts) {
        if (doc == null) {
            return;
        }
        walk(doc, (k, v) -> {
            String id = isSealed(v) ? keyIdOf((String) v) : null;
            counts.merge(isSealed(v) ? (id == null ? "unknown format" : id) : "plaintext", 1, Integer::sum);
            return v;
        });
    }

    /** A new, empty count map in a stable order. */
    public static Map<String, Integer> newCounts() {
        return new TreeMap<>();
    }

    // ---- node rows ----

    /** Seals the secret columns among {@code columns} (a node's column values about to be written), in place. */
    public void sealColumns(Map<String, Object> columns) {
        if (keys.isEmpty()) {
            return;
        }
        for (String col : NODE_COLUMNS) {
            if (columns.get(col) instanceof JsonObject o) {
                columns.put(col, sealAll(o));
            }
        }
    }

    /**
     * A node row with its secret columns decrypted; null for null. The row's other values are shared with {@code row},
     * not copied: a row just read is handed over, and copying every JSON column of every node read was a measurable
     * share of a node write's CPU. The secret columns are new objects, so {@code row} keeps them sealed.
     */
    public JsonObject openNode(JsonObject row) {
        if (row == null) {
            return null;
        }
        JsonObject out = new JsonObject(new java.util.LinkedHashMap<>(row.getMap()));
        for (String col : NODE_COLUMNS) {
            if (out.getValue(col) instanceof JsonObject o) {
                out.put(col, openAll(o, col, "node " + row.getString("uuid")));
            }
        }
        return out;
    }

    private interface Visit {
        Object apply(String key, Object value);
    }

    /** A deep copy where each secret value is replaced by {@code visit}'s answer; other values copied. */
    private static Object walk(Object v, Visit visit) {
        if (v instanceof JsonObject o) {
            JsonObject out = new JsonObject();
            for (Map.Entry<String, Object> e : o) {
                Object value = e.getValue();
                Object copy = isSecretValue(e.getKey(), value) ? visit.apply(e.getKey(), value) : walk(value, visit);
                if (copy != DROP) {
                    out.put(e.getKey(), copy);
                }
            }
            return out;
        }
        if (v instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            a.forEach(x -> out.add(walk(x, visit)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            JsonObject o = new JsonObject((Map<String, Object>) m);
            return walk(o, visit);
        }
        if (v instanceof List<?> l) {
            return walk(new JsonArray(l), visit);
        }
        return v;
    }

    /** A secret that cannot be read: unknown key, wrong key, damaged value. Says which field, never the value. */
    public static final class Unreadable extends AnvilException {
        public Unreadable(String message) {
            super(500, "Cannot read a secret: " + message + ".");
        }
    }
}
