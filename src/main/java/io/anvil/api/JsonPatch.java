package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.util.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over a JSON document. Applied to a copy; any
 * failing operation rejects the whole patch with a 400 and the document is untouched.
 */
public final class JsonPatch {
    private JsonPatch() {}

    /** One validated operation. {@code path} and {@code from} are JSON Pointers. */
    public record Op(String op, String path, String from, Object value, boolean hasValue) {
        /** The first segment of the path: the resource field the operation touches. */
        public String field() {
            return pointer(path).get(0);
        }
    }

    public static List<Op> parse(Object body) {
        if (!(body instanceof JsonArray ops)) {
            throw AnvilException.invalid("A JSON Patch must be a list of operations, e.g. "
                    + "[{\"op\": \"replace\", \"path\": \"/name\", \"value\": \"n1\"}].");
        }
        if (ops.isEmpty()) {
            throw AnvilException.invalid("The patch is empty.");
        }
        List<Op> out = new ArrayList<>();
        for (Object o : ops) {
            if (!(o instanceof JsonObject j)) {
                throw AnvilException.invalid("Each patch operation must be a JSON object.");
            }
            String op = j.getValue("op") instanceof String s ? s : null;
            String path = j.getValue("path") instanceof String s ? s : null;
            if (op == null
                    || !List.of("add", "remove", "replace", "move", "copy", "test")
                            .contains(op)) {
                throw AnvilException.invalid("Invalid patch operation '" + j.getValue("op")
                        + "': it must be one of add, remove, replace, move, copy, test.");
            }
            if (path == null || !path.startsWith("/") || path.length() < 2) {
                throw AnvilException.invalid("Invalid patch path '" + j.getValue("path")
                        + "': it must be a JSON Pointer such as /name or /driver_info/ipmi_address.");
            }
            String from = j.getValue("from") instanceof String s ? s : null;
            if ((op.equals("move") || op.equals("copy")) && (from == null || !from.startsWith("/"))) {
                throw AnvilException.invalid("Patch operation '" + op + "' needs a 'from' JSON Pointer.");
            }
            boolean hasValue = j.containsKey("value");
            if ((op.equals("add") || op.equals("replace") || op.equals("test")) && !hasValue) {
                throw AnvilException.invalid("Patch operation '" + op + "' on " + path + " needs a 'value'.");
            }
            for (String key : j.fieldNames()) {
                if (!List.of("op", "path", "from", "value").contains(key)) {
                    throw AnvilException.invalid("Unknown member '" + key + "' in patch operation on " + path + ".");
                }
            }
            out.add(new Op(op, path, from, j.getValue("value"), hasValue));
        }
        return out;
    }

    /** Applies {@code ops} to a deep copy of {@code doc} and returns it. */
    public static JsonObject apply(JsonObject doc, List<Op> ops) {
        JsonObject result = doc.copy();
        for (Op op : ops) {
            switch (op.op()) {
                case "add" -> add(result, pointer(op.path()), copyOf(op.value()), op.path());
                case "remove" -> remove(result, pointer(op.path()), op.path());
                case "replace" -> {
                    remove(result, pointer(op.path()), op.path());
                    add(result, pointer(op.path()), copyOf(op.value()), op.path());
                }
                case "move" -> {
                    Object v = get(result, pointer(op.from()), op.from());
                    remove(result, pointer(op.from()), op.from());
                    add(result, pointer(op.path()), v, op.path());
                }
                case "copy" ->
                    add(result, pointer(op.path()), copyOf(get(result, pointer(op.from()), op.from())), op.path());
                case "test" -> {
                    Object v = get(result, pointer(op.path()), op.path());
                    // a secret is tested against what the API shows of it (******): neither an oracle for guesses
                    // nor echoed in the error (docs/security.md)
                    boolean secret = pointer(op.path()).stream().anyMatch(Secrets::isSecretKey);
                    if (secret && v != null) {
                        v = Secrets.MASK;
                    }
                    if (!Objects.equals(normalise(v), normalise(op.value()))) {
                        throw AnvilException.invalid("Patch test failed: " + op.path() + " is not "
                                + (secret ? Secrets.MASK : op.value()) + ".");
                    }
                }
                default -> throw new IllegalStateException(op.op());
            }
        }
        return result;
    }

    static List<String> pointer(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.substring(1).split("/", -1)) {
            out.add(s.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static Object container(JsonObject doc, List<String> parts, String path) {
        Object cur = doc;
        for (int i = 0; i < parts.size() - 1; i++) {
            cur = child(cur, parts.get(i), path);
            if (cur == null) {
                throw AnvilException.invalid("Patch path " + path + " does not exist.");
            }
        }
        return cur;
    }

    private static Object child(Object cur, String key, String path) {
        if (cur instanceof JsonObject o) {
            return o.getValue(key);
        }
        if (cur instanceof JsonArray a) {
            int i = index(key, a.size() - 1, path);
            return a.getValue(i);
        }
        throw AnvilException.invalid("Patch path " + path + " goes through a value that is not an object or list.");
    }

    private static Object get(JsonObject doc, List<String> parts, String path) {
        Object c = container(doc, parts, path);
        String last = parts.get(parts.size() - 1);
        if (c instanceof JsonObject o) {
            if (!o.containsKey(last)) {
                throw AnvilException.invalid("Patch path " + path + " does not exist.");
            }
            return o.getValue(last);
        }
        if (c instanceof JsonArray a) {
            return a.getValue(index(last, a.size() - 1, path));
        }
        throw AnvilException.invalid("Patch path " + path + " does not exist.");
    }

    private static void add(JsonObject doc, List<String> parts, Object value, String path) {
        Object c = container(doc, parts, path);
        String last = parts.get(parts.size() - 1);
        if (c instanceof JsonObject o) {
            o.put(last, value);
        } else if (c instanceof JsonArray a) {
            if (last.equals("-")) {
                a.add(value);
            } else {
                a.getList().add(index(last, a.size(), path), value);
            }
        } else {
            throw AnvilException.invalid("Cannot add at " + path + ": its parent is not an object or list.");
        }
    }

    private static void remove(JsonObject doc, List<String> parts, String path) {
        Object c = container(doc, parts, path);
        String last = parts.get(parts.size() - 1);
        if (c instanceof JsonObject o) {
            if (!o.containsKey(last)) {
                throw AnvilException.invalid("Cannot remove or replace " + path + ": it does not exist.");
            }
            o.remove(last);
        } else if (c instanceof JsonArray a) {
            a.remove(index(last, a.size() - 1, path));
        } else {
            throw AnvilException.invalid("Cannot remove " + path + ": its parent is not an object or list.");
        }
    }

    private static int index(String s, int max, String path) {
        try {
            int i = Integer.parseInt(s);
            if (i < 0 || i > max || (s.length() > 1 && s.startsWith("0"))) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw AnvilException.invalid("Invalid list index '" + s + "' in patch path " + path + ".");
        }
    }

    private static Object copyOf(Object v) {
        if (v instanceof JsonObject o) {
            return o.copy();
        }
        if (v instanceof JsonArray a) {
            return a.copy();
        }
        return v;
    }

    private static Object normalise(Object v) {
        return v instanceof Number n ? n.doubleValue() : v;
    }
}
