package io.anvil.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One consistent hash ring, bit-for-bit the ring of tooz's {@code hashring.HashRing} that Ironic uses
 * ({@code ironic/common/hash_ring.py: HashRingManager}, over tooz's {@code hashring.HashRing}): every host gets
 * {@code partitions} points, the i-th (from 0) being md5 of the host name repeated i+2 times (an md5 object created
 * over the name, then updated with the name again for each point); a key maps to the first point strictly above
 * md5(key) (Python's {@code bisect.bisect}), wrapping to the first point. Points are compared as unsigned 128-bit
 * integers. With one replica, as Ironic uses it, the owner is the host of that point.
 *
 * <p>Immutable and thread-safe. Adding or removing a host moves only the keys that land on (or left) its points,
 * about 1/N of them.
 */
public final class HashRing {
    /**
     * Anvil's {@code conductor.hash_partition_exponent} default 11: 2,048 points per host. Ironic's default 5 (32
     * points) gave one of three conductors 44 % of 100,000 nodes and another 26 %; with 2,048 each gets 32–35 %
     * (docs/scale-out.md#conductor-groups-and-the-hash-ring). The points are tooz's whatever the count.
     */
    public static final int DEFAULT_PARTITIONS = 1 << 11;

    /** Rings already built, by (sorted hosts, partitions): immutable, so every refresh of the same membership shares one. */
    private static final Map<List<Object>, HashRing> BUILT = new ConcurrentHashMap<>();

    private static final int BUILT_MAX = 64;

    private final List<String> hosts;
    private final long[] hi;
    private final long[] lo;
    private final String[] owners;

    /**
     * The ring of {@code hosts}, shared with earlier calls for the same hosts and partitions: conductors rebuild their
     * rings every {@code hash_ring_reset_interval}, and 2,048 md5 points per host are worth building once.
     */
    public static HashRing of(Collection<String> hosts, int partitionsPerHost) {
        List<Object> key = List.of(List.copyOf(new TreeSet<>(hosts)), partitionsPerHost);
        HashRing ring = BUILT.get(key);
        if (ring == null) {
            ring = new HashRing(hosts, partitionsPerHost);
            if (BUILT.size() >= BUILT_MAX) {
                BUILT.clear(); // memberships seen long ago; the current ones are built again once
            }
            BUILT.put(key, ring);
        }
        return ring;
    }

    public HashRing(Collection<String> hosts, int partitionsPerHost) {
        if (partitionsPerHost < 1) {
            throw new IllegalArgumentException("partitionsPerHost must be >= 1");
        }
        // sorted for determinism: on a (practically impossible) point collision the later host wins everywhere
        TreeSet<String> sorted = new TreeSet<>(hosts);
        this.hosts = List.copyOf(sorted);
        TreeMap<Point, String> ring = new TreeMap<>();
        for (String host : sorted) {
            byte[] key = host.getBytes(StandardCharsets.UTF_8);
            MessageDigest md = md5();
            md.update(key); // tooz: hashlib.md5(key), then update(key) once per point
            for (int i = 0; i < partitionsPerHost; i++) {
                md.update(key);
                ring.put(Point.of(digestSoFar(md)), host);
            }
        }
        int n = ring.size();
        hi = new long[n];
        lo = new long[n];
        owners = new String[n];
        int i = 0;
        for (var e : ring.entrySet()) {
            hi[i] = e.getKey().hi;
            lo[i] = e.getKey().lo;
            owners[i] = e.getValue();
            i++;
        }
    }

    /** The hosts on the ring, sorted. */
    public List<String> hosts() {
        return hosts;
    }

    public boolean isEmpty() {
        return owners.length == 0;
    }

    /** The host owning {@code key} (Ironic hashes the node UUID's text), or null on an empty ring. */
    public String owner(String key) {
        if (owners.length == 0) {
            return null;
        }
        Point p = Point.of(md5().digest(key.getBytes(StandardCharsets.UTF_8)));
        // bisect_right: first index whose point is strictly greater than p
        int low = 0;
        int high = owners.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (compare(hi[mid], lo[mid], p.hi, p.lo) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return owners[low < owners.length ? low : 0];
    }

    private static int compare(long ah, long al, long bh, long bl) {
        int c = Long.compareUnsigned(ah, bh);
        return c != 0 ? c : Long.compareUnsigned(al, bl);
    }

    private static byte[] digestSoFar(MessageDigest md) {
        try {
            return ((MessageDigest) md.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("MD5 digest cannot be cloned", e);
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    private record Point(long hi, long lo) implements Comparable<Point> {
        static Point of(byte[] digest) {
            long h = 0;
            long l = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (digest[i] & 0xff);
                l = (l << 8) | (digest[i + 8] & 0xff);
            }
            return new Point(h, l);
        }

        @Override
        public int compareTo(Point o) {
            return compare(hi, lo, o.hi, o.lo);
        }
    }

    @Override
    public String toString() {
        return "HashRing" + hosts + "x" + (hosts.isEmpty() ? 0 : owners.length / hosts.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashRing r
                && Arrays.equals(r.owners, owners)
                && Arrays.equals(r.hi, hi)
                && Arrays.equals(r.lo, lo);
    }

    @Override
    public int hashCode() {
        return hosts.hashCode();
    }
}
