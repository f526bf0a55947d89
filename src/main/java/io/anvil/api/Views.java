package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.store.FieldSpec;
import io.anvil.store.ResourceDef;
import io.anvil.util.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Renders stored resources as the requested microversion shows them: gated fields, fields=, secrets, links. */
final class Views {
    private Views() {}

    /** Fields of {@code def} visible at {@code v}, plus resource-specific computed ones. */
    static List<String> visibleFields(ResourceDef def, ApiVersion v, List<String> computed) {
        List<String> out = new ArrayList<>();
        for (FieldSpec f : def.fields().values()) {
            if (v.atLeast(f.minVersion())) {
                out.add(f.name());
            }
        }
        out.addAll(computed);
        return out;
    }

    /** 400 for a fields= entry that is not a field of the resource at this version. */
    static void checkFields(Set<String> requested, List<String> visible) {
        if (requested == null) {
            return;
        }
        List<String> bad = new ArrayList<>();
        for (String f : requested) {
            if (!visible.contains(f)) {
                bad.add(f);
            }
        }
        if (!bad.isEmpty()) {
            throw AnvilException.invalid("Field(s) \"" + String.join(", ", bad) + "\" are not valid");
        }
    }

    /**
     * Copies {@code names} from {@code row} (in that order), then the links. Secret-bearing documents are masked.
     */
    static JsonObject project(JsonObject row, List<String> names, String base, String path) {
        JsonObject out = new JsonObject();
        for (String n : names) {
            Object v = row.getValue(n);
            if (v instanceof JsonObject o
                    && (n.equals("driver_info")
                            || n.equals("instance_info")
                            || n.equals("driver_internal_info")
                            || n.equals("properties")
                            || n.equals("extra"))) {
                v = Secrets.mask(o);
            }
            out.put(n, v);
        }
        out.put("links", Links.of(base, path));
        return out;
    }

    /** {"<plural>": [...], "next": url} with next only when the page is full. */
    static JsonObject collection(String key, List<JsonObject> items, int limit, String nextUrl) {
        JsonObject out = new JsonObject().put(key, new JsonArray(new ArrayList<>(items)));
        if (nextUrl != null && items.size() == limit && limit > 0) {
            out.put("next", nextUrl);
        }
        return out;
    }
}
