package io.anvil.limits;

import io.anvil.config.AnvilConfig.RateLimit;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per client key: each request takes a token, tokens come back at {@code requestsPerSecond} up to
 * {@code burst}. Memory is bounded: past {@code maxClients} keys, buckets that have refilled completely (idle clients,
 * indistinguishable from new ones) are dropped, and if every client is active the table starts over (allowing rather
 * than refusing). Safe from any event loop.
 */
public final class TokenBuckets {
    private final double rate;
    private final double burst;
    private final int maxClients;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokenBuckets(RateLimit limit, int maxClients) {
        this.rate = limit.requestsPerSecond();
        this.burst = limit.burst();
        this.maxClients = Math.max(1, maxClients);
    }

    /** Takes a token for {@code client}: 0 when allowed, else the whole seconds until a token is back (at least 1). */
    public long take(String client, long nowNanos) {
        Bucket b = buckets.get(client);
        if (b == null) {
            if (buckets.size() >= maxClients) {
                evictIdle(nowNanos);
            }
            b = buckets.computeIfAbsent(client, k -> new Bucket(burst, nowNanos));
        }
        return b.take(nowNanos);
    }

    /** Clients tracked now (for tests). */
    public int size() {
        return buckets.size();
    }

    private void evictIdle(long nowNanos) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().full(nowNanos)) {
                it.remove();
            }
        }
        if (buckets.size() >= maxClients) {
            buckets.clear();
        }
    }

    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * rate / 1e9);
                last = now;
            }
        }
    }
}
