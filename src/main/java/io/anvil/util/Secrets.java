package io.anvil.util;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Masks secrets the way Ironic's mask_dict_password does: any key whose name hints at a secret becomes ******. */
public final class Secrets {
    public static final String MASK = "******";
    private static final List<String> SECRET_KEY_PARTS = List.of(
            "password", "passwd", "pswd", "secret", "token", "_key", "kg_key", "configdrive", "credential", "private");
    private static final Pattern INLINE =
            Pattern.compile("(?i)((?:password|passwd|secret|token)[\"']?\\s*[:=]\\s*[\"']?)[^\"',\\s}]+");

    private Secrets() {}

    /**
     * Keys seen before and whether they are secret: node payloads repeat the same few hundred key names, and every
     * event read for the feed is masked again on its way out. Bounded: past {@link #KNOWN_KEYS_MAX} names (free-form
     * {@code extra} keys) the check is simply computed.
     */
    private static final Map<String, Boolean> KNOWN_KEYS = new ConcurrentHashMap<>();

    static final int KNOWN_KEYS_MAX = 4096;

    public static boolean isSecretKey(String key) {
        Boolean known = KNOWN_KEYS.get(key);
        if (known != null) {
            return known;
        }
        String k = key.toLowerCase(Locale.ROOT);
        boolean secret = false;
        for (String part : SECRET_KEY_PARTS) {
            if (k.contains(part)) {
                secret = true;
                break;
            }
        }
        if (KNOWN_KEYS.size() < KNOWN_KEYS_MAX) {
            KNOWN_KEYS.put(key, secret);
        }
        return secret;
    }

    /** A deep copy of {@code in} with every secret value replaced by {@link #MASK}. */
    public static JsonObject mask(JsonObject in) {
        if (in == null) {
            return null;
        }
        JsonObject out = new JsonObject();
        for (Map.Entry<String, Object> e : in) {
            Object v = e.getValue();
            if (v != null && isSecretKey(e.getKey())) {
                out.put(e.getKey(), MASK);
            } else {
                out.put(e.getKey(), maskValue(v));
            }
        }
        return out;
    }

    private static Object maskValue(Object v) {
        if (v instanceof JsonObject o) {
            return mask(o);
        }
        if (v instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            a.forEach(x -> out.add(maskValue(x)));
            return out;
        }
        return v;
    }

    /** Masks "password=..."-style fragments in free text (error messages, log lines). */
    public static String maskText(String text) {
        return text == null ? null : INLINE.matcher(text).replaceAll("$1" + MASK);
    }
}
