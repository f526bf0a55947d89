package io.anvil.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials verified recently, so that bcrypt and signature checks stay off the hot path: a request presenting the
 * same header again within the TTL costs one SHA-256 and a map lookup. Keyed by the header's SHA-256 (no password or
 * token is kept), bounded in size; only successes are kept, so a changed password or a revoked user takes effect
 * within the TTL. Shared by every API event loop.
 */
final class CredentialCache {
    private record Entry(Caller caller, long expiresAtNanos) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxSize;

    CredentialCache(long ttlNanos, int maxSize) {
        this.ttlNanos = ttlNanos;
        this.maxSize = maxSize;
    }

    static String keyOf(String header) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(header.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The caller verified for this key, if still fresh. */
    Caller get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.expiresAtNanos >= 0) {
            entries.remove(key, e);
            return null;
        }
        return e.caller;
    }

    /** Keeps a verified caller for the TTL, or less when the credential itself expires sooner. */
    void put(String key, Caller caller, long validForNanos) {
        if (ttlNanos <= 0) {
            return;
        }
        if (entries.size() >= maxSize) {
            evict();
        }
        entries.put(key, new Entry(caller, System.nanoTime() + Math.min(ttlNanos, validForNanos)));
    }

    int size() {
        return entries.size();
    }

    /** Drops expired entries, then as many others as needed to make room (any: all are equally cheap to redo). */
    private void evict() {
        long now = System.nanoTime();
        entries.values().removeIf(e -> now - e.expiresAtNanos >= 0);
        Iterator<String> it = entries.keySet().iterator();
        while (entries.size() >= maxSize && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
