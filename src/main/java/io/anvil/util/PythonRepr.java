package io.anvil.util;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.stream.Collectors;

/** Python's {@code repr} of a JSON value, as Ironic's messages (and Python jsonschema's) show values. */
public final class PythonRepr {
    private PythonRepr() {}

    public static String of(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (v instanceof JsonArray a) {
            return a.stream().map(PythonRepr::of).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof JsonObject o) {
            return o.fieldNames().stream()
                    .map(k -> of(k) + ": " + of(o.getValue(k)))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(v);
    }
}
