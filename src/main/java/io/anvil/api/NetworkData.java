package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A node's {@code network_data} (API 1.66) checked against Nova's network metadata schema, as Ironic's
 * validate_network_data does (ironic/api/controllers/v1/node.py): an invalid value is 400 {@code Invalid
 * network_data: <message> }, the message worded as Python's jsonschema words it.
 *
 * <p>The schema (resource {@code network-data-schema.json}, from Ironic's network-data-schema.json) uses only a small
 * part of JSON Schema draft-07 — type, required, properties, items, enum, pattern, minimum/maximum, oneOf/anyOf and
 * local {@code $ref}s — which is what this class evaluates. Where a value matches none of a oneOf/anyOf, the error of the
 * branch meant for it (its JSON type and, for an object, its {@code type} member) is reported, so the message says what is wrong with it rather than only that it
 * matched nothing.
 */
final class NetworkData {
    private static final JsonObject SCHEMA = load();
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private NetworkData() {}

    /** 400 in Ironic's words when {@code value} does not follow the schema; null is accepted (no network data). */
    static void validate(Object value) {
        if (value == null) {
            return;
        }
        String error = evaluate(value, SCHEMA);
        if (error != null) {
            // Ironic's message ends with a space ("Invalid network_data: %s ")
            throw AnvilException.invalid("Invalid network_data: " + error + " ");
        }
    }

    /** The first violation of {@code schema} by {@code value}, in jsonschema's words; null when it conforms. */
    private static String evaluate(Object value, JsonObject schema) {
        if (schema.containsKey("$ref")) {
            return evaluate(value, resolve(schema.getString("$ref")));
        }
        if (schema.containsKey("type") && !hasType(value, schema.getString("type"))) {
            return repr(value) + " is not of type " + repr(schema.getString("type"));
        }
        if (schema.containsKey("enum") && !schema.getJsonArray("enum").contains(value)) {
            return repr(value) + " is not one of " + repr(schema.getJsonArray("enum"));
        }
        if (schema.containsKey("pattern") && value instanceof String s) {
            String pattern = schema.getString("pattern");
            if (!PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(s).find()) {
                return repr(value) + " does not match " + repr(pattern);
            }
        }
        if (value instanceof Number n && !(value instanceof Boolean)) {
            if (schema.containsKey("minimum")
                    && n.doubleValue() < schema.getNumber("minimum").doubleValue()) {
                return repr(value) + " is less than the minimum of " + repr(schema.getNumber("minimum"));
            }
            if (schema.containsKey("maximum")
                    && n.doubleValue() > schema.getNumber("maximum").doubleValue()) {
                return repr(value) + " is greater than the maximum of " + repr(schema.getNumber("maximum"));
            }
        }
        if (value instanceof JsonObject o) {
            for (Object required : schema.getJsonArray("required", new JsonArray())) {
                if (!o.containsKey((String) required)) {
                    return repr(required) + " is a required property";
                }
            }
            JsonObject properties = schema.getJsonObject("properties", new JsonObject());
            for (String key : o.fieldNames()) {
                if (properties.containsKey(key)) {
                    String error = evaluate(o.getValue(key), properties.getJsonObject(key));
                    if (error != null) {
                        return error;
                    }
                }
            }
        }
        if (value instanceof JsonArray a && schema.containsKey("items")) {
            for (Object item : a) {
                String error = evaluate(item, schema.getJsonObject("items"));
                if (error != null) {
                    return error;
                }
            }
        }
        if (schema.containsKey("oneOf")) {
            String error = alternatives(value, schema.getJsonArray("oneOf"), true);
            if (error != null) {
                return error;
            }
        }
        if (schema.containsKey("anyOf")) {
            return alternatives(value, schema.getJsonArray("anyOf"), false);
        }
        return null;
    }

    /** oneOf ({@code exactlyOne}) or anyOf: null when satisfied, else the most telling error. */
    private static String alternatives(Object value, JsonArray branches, boolean exactlyOne) {
        List<Integer> matched = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            String error = evaluate(value, branches.getJsonObject(i));
            errors.add(error);
            if (error == null) {
                matched.add(i);
            }
        }
        if (matched.size() == 1 || (!exactlyOne && !matched.isEmpty())) {
            return null;
        }
        if (!matched.isEmpty()) {
            return repr(value) + " is valid under each of "
                    + matched.stream().map(i -> repr(branches.getJsonObject(i))).collect(Collectors.joining(", "));
        }
        // the branch meant for this value: of its JSON type and, for an object, accepting the object's "type"
        for (int i = 0; i < branches.size(); i++) {
            if (meantFor(value, branches.getJsonObject(i))) {
                return errors.get(i);
            }
        }
        return repr(value) + " is not valid under any of the given schemas";
    }

    private static boolean meantFor(Object value, JsonObject branch) {
        if (branch.containsKey("$ref")) {
            branch = resolve(branch.getString("$ref"));
        }
        if (branch.containsKey("type") && !hasType(value, branch.getString("type"))) {
            return false;
        }
        if (value instanceof JsonObject o) {
            JsonObject typeSchema =
                    branch.getJsonObject("properties", new JsonObject()).getJsonObject("type");
            return typeSchema != null && o.getValue("type") != null && evaluate(o.getValue("type"), typeSchema) == null;
        }
        return branch.containsKey("type");
    }

    /** A local reference, {@code #/definitions/name}. */
    private static JsonObject resolve(String ref) {
        Object at = SCHEMA;
        for (String part : ref.substring(2).split("/")) {
            at = ((JsonObject) at).getValue(part);
        }
        return (JsonObject) at;
    }

    private static boolean hasType(Object value, String type) {
        return switch (type) {
            case "object" -> value instanceof JsonObject;
            case "array" -> value instanceof JsonArray;
            case "string" -> value instanceof String;
            case "integer" ->
                value instanceof Integer
                        || value instanceof Long
                        || (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
            case "number" -> value instanceof Number;
            case "boolean" -> value instanceof Boolean;
            case "null" -> value == null;
            default -> true;
        };
    }

    /** Python's repr of a JSON value, as jsonschema's messages show it. */
    static String repr(Object value) {
        return io.anvil.util.PythonRepr.of(value);
    }

    private static JsonObject load() {
        try (InputStream in = NetworkData.class.getResourceAsStream("network-data-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("network-data-schema.json is missing from the classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
