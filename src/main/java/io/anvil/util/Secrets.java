package io.anvil.util;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Masks secrets the way Ironic's mask_dict_password does: any key whose name hints at a secret becomes ******. */
public final class Secrets {
    public static final String MASK = "******";
    private static final List<String> SECRET_KEY_PARTS = List.of(
            "password", "passwd", "pswd", "secret", "token", "_key", "kg_key", "configdrive", "credential", "private");
    private static final Pattern INLINE =
            Pattern.compile("(?i)((?:password|passwd|secret|token)[\"']?\\s*[:=]\\s*[\"']?)[^\"',\\s}]+");

    private Secrets() {}

    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String part : SECRET_KEY_PARTS) {
            if (k.contains(part)) {
                return true;
            }
        }
        return false;
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
