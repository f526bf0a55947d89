package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The GET-node rendering cache stays within api.rendered_cache_entries and never answers a stale row version. */
class RenderedCacheTest {

    @Test
    void neverHoldsMoreThanItsBound() {
        RenderedCache cache = new RenderedCache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.put("node-" + i, 1, Buffer.buffer("{}"));
            assertTrue(cache.size() <= 100, "size " + cache.size());
        }
        assertEquals(Buffer.buffer("{}"), cache.get("node-9999", 1));
    }

    @Test
    void aNewRowVersionIsAMiss() {
        RenderedCache cache = new RenderedCache(10);
        cache.put("n", 1, Buffer.buffer("old"));
        assertNull(cache.get("n", 2));
        assertEquals(0, cache.size());
    }

    @Test
    void zeroTurnsItOff() {
        RenderedCache cache = new RenderedCache(0);
        cache.put("n", 1, Buffer.buffer("{}"));
        assertNull(cache.get("n", 1));
        assertEquals(0, cache.size());
    }
}
