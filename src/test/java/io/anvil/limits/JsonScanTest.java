package io.anvil.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.config.AnvilConfig.RateLimit;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The byte scan of JSON nesting, and the token buckets of the rate limits (with a made-up clock). */
class JsonScanTest {
    private static boolean within(String json, int max) {
        return JsonScan.within(Buffer.buffer(json), max);
    }

    @Test
    void countsArraysAndObjectsButNotBracketsInStrings() {
        assertTrue(within("{\"a\": [1, {\"b\": 2}]}", 3));
        assertFalse(within("{\"a\": [1, {\"b\": 2}]}", 2));
        assertTrue(within("{\"a\": \"[[[[{{{{\"}", 1));
        // an escaped quote does not end the string; an escaped backslash does not escape the closing quote
        assertTrue(within("{\"a\": \"\\\"[[[[\"}", 1));
        assertTrue(within("{\"a\": \"\\\\\", \"b\": 1}", 1));
        assertFalse(within("{\"a\": \"\\\\\", \"b\": [[1]]}", 2));
        assertTrue(within("42", 0));
        assertFalse(within("[".repeat(100_000), 32));
        // siblings do not add up
        assertTrue(within("[[1],[2],[3],[4]]", 2));
    }

    @Test
    void findsNulEscapesInStringsOnly() {
        assertEquals(JsonScan.Verdict.NUL, JsonScan.scan(Buffer.buffer("{\"a\": \"x\\u0000y\"}"), 32));
        assertEquals(JsonScan.Verdict.OK, JsonScan.scan(Buffer.buffer("{\"a\": \"x\\\\u0000y\"}"), 32));
        assertEquals(
                JsonScan.Verdict.OK,
                JsonScan.scan(Buffer.buffer("{\"a\": \"\\u00001\"}".replace("00001", "0041")), 32));
    }

    @Test
    void bucketsAllowBurstThenRefillAtTheRate() {
        TokenBuckets b = new TokenBuckets(new RateLimit(2.0, 3), 100);
        long t = 1_000_000_000L;
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.take("a", t), "burst request " + i);
        }
        assertEquals(1, b.take("a", t), "over the burst: retry after a second");
        assertEquals(0, b.take("b", t), "another client has its own bucket");
        assertEquals(0, b.take("a", t + 500_000_000L), "half a second at 2/s gives one token back");
        assertEquals(1, b.take("a", t + 500_000_000L));
    }

    @Test
    void idleClientsAreForgottenWhenTheTableIsFull() {
        TokenBuckets b = new TokenBuckets(new RateLimit(1.0, 1), 3);
        long t = 0;
        b.take("a", t);
        b.take("b", t);
        b.take("c", t);
        assertEquals(3, b.size());
        // ten seconds later every bucket is full again: they go to make room
        b.take("d", t + 10_000_000_000L);
        assertEquals(1, b.size());
        // all busy: the table starts over rather than growing
        TokenBuckets busy = new TokenBuckets(new RateLimit(0.001, 1), 2);
        busy.take("a", 0);
        busy.take("b", 0);
        busy.take("c", 0);
        assertTrue(busy.size() <= 2, "bounded: " + busy.size());
    }
}
