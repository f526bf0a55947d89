package io.anvil.api;

import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Encoded responses of the hottest read (GET one node), keyed by everything that shapes them and tagged with
 * the row version (xmin) they were rendered from. A read checks the current row version with a one-column
 * primary-key query and reuses the bytes only when it matches, so a cached answer is never stale. Owned by one
 * verticle (one event loop), hence a plain map; bounded, and entries expire so xid wrap-around cannot alias.
 */
final class RenderedCache {
    private static final long TTL_NANOS = 60_000_000_000L;

    private final int maxEntries;

    private record Entry(long rowVersion, long bornAt, Buffer body) {}

    private final Map<String, Entry> entries = new HashMap<>();

    /** At most {@code maxEntries} answers (api.rendered_cache_entries); 0 keeps none. */
    RenderedCache(int maxEntries) {
        this.maxEntries = Math.max(0, maxEntries);
    }

    int size() {
        return entries.size();
    }

    Buffer get(String key, long rowVersion) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.rowVersion != rowVersion || System.nanoTime() - e.bornAt > TTL_NANOS) {
            entries.remove(key);
            return null;
        }
        return e.body;
    }

    void put(String key, long rowVersion, Buffer body) {
        if (maxEntries == 0) {
            return;
        }
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            // full: start over rather than track recency (a miss costs one render; the hot set refills at once)
            entries.clear();
        }
        entries.put(key, new Entry(rowVersion, System.nanoTime(), body));
    }
}
