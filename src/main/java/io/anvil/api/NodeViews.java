package io.anvil.api;

import io.anvil.store.Resources;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How a node looks at a microversion: its visible fields, the computed {@code conductor} field, the sub-resource
 * links, and the cache of full renderings. A full rendering is cached per (node identifier, microversion, base URL,
 * conductor snapshot) and tagged with the row version it was made from, so callers reuse it only while the row is
 * unchanged (see {@link RenderedCache}). One instance per API verticle: confined to its event loop.
 */
final class NodeViews {

    private final ConductorCache conductors;
    private final RenderedCache rendered;

    NodeViews(ConductorCache conductors, int renderedCacheEntries) {
        this.conductors = conductors;
        this.rendered = new RenderedCache(renderedCacheEntries);
    }

    /** The node fields a client sees at {@code v}: stored ones by microversion, plus {@code conductor} from 1.49. */
    List<String> visible(ApiVersion v) {
        return Views.visibleFields(Resources.NODE, v, v.atLeast(49) ? List.of("conductor") : List.of());
    }

    /** Adds the computed {@code conductor} field: the node's owner on the hash ring, not a column. */
    void addComputed(JsonObject row) {
        row.put(
                "conductor",
                conductors.ownerOf(row.getString("uuid"), row.getString("driver"), row.getString("conductor_group")));
    }

    /** The fields {@code names} of a node, its links, and (for a full view) the links to its sub-resources. */
    JsonObject render(JsonObject row, List<String> names, String base, boolean withSubLinks, ApiVersion v) {
        String uuid = row.getString("uuid");
        JsonObject out = Views.project(row, names, base, "nodes/" + uuid);
        if (withSubLinks) {
            out.put("ports", Links.of(base, "nodes/" + uuid + "/ports"));
            if (v.atLeast(24)) {
                out.put("portgroups", Links.of(base, "nodes/" + uuid + "/portgroups"));
            }
            out.put("states", Links.of(base, "nodes/" + uuid + "/states"));
            if (v.atLeast(32)) {
                out.put("volume", Links.of(base, "nodes/" + uuid + "/volume"));
            }
        }
        return out;
    }

    /** Every visible field and all links: what GET /v1/nodes/{node} shows. */
    JsonObject renderFull(JsonObject row, String base, ApiVersion v) {
        return render(row, visible(v), base, true, v);
    }

    /** The cached full rendering of the node called {@code ident}, if it was made from {@code rowVersion}. */
    Buffer cached(String ident, ApiVersion v, String base, long rowVersion) {
        return rendered.get(key(ident, v, base), rowVersion);
    }

    /**
     * The full rendering of {@code row} (computed fields already added), from the cache when it was made from the
     * same row version, else rendered and cached under {@code ident}.
     */
    Buffer fullRendering(String ident, JsonObject row, ApiVersion v, String base) {
        String key = key(ident, v, base);
        Long rowVersion = row.getLong("row_version");
        Buffer cached = rowVersion == null ? null : rendered.get(key, rowVersion);
        if (cached != null) {
            return cached;
        }
        Buffer body = renderFull(row, base, v).toBuffer();
        if (rowVersion != null) {
            rendered.put(key, rowVersion, body);
        }
        return body;
    }

    /** A detail page from full renderings; a null part (a node deleted between two reads) is left out. */
    static Buffer detailPage(Buffer[] parts, String next) {
        Buffer out = Buffer.buffer(parts.length * 2600 + 64).appendString("{\"nodes\":[");
        boolean first = true;
        for (Buffer part : parts) {
            if (part == null) {
                continue;
            }
            if (!first) {
                out.appendByte((byte) ',');
            }
            out.appendBuffer(part);
            first = false;
        }
        out.appendByte((byte) ']');
        if (next != null) {
            out.appendString(",\"next\":").appendString(Json.encode(next));
        }
        return out.appendByte((byte) '}');
    }

    private String key(String ident, ApiVersion v, String base) {
        return ident + '|' + v.minor() + '|' + base + '|' + conductors.generation();
    }
}
