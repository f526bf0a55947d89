package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic disk images for the simulated fleet, served by its shared HTTP server so deploys have something real
 * to download and verify:
 *
 * <ul>
 *   <li>{@code GET /images/<name>}: pseudo-random bytes fixed by the name, generated while streaming (nothing is held
 *       in memory). The size comes from a {@code -<n><unit>} in the name ({@code os-1m.img} = 1 MiB, {@code
 *       big-2g.raw} = 2 GiB, units b/k/m/g), else {@link #DEFAULT_SIZE}. Names starting with {@code missing} answer
 *       404 and {@code broken} 500 (failure injection).
 *   <li>{@code GET /images/<name>.sha256}, {@code .sha512}, {@code .md5}: a checksum file in sha256sum's format
 *       ({@code <hex>  <name>}), as IPA fetches when {@code checksum} is a URL.
 * </ul>
 *
 * Digests are computed once per image and algorithm on a worker thread and cached.
 */
public final class ImageServer {
    public static final long DEFAULT_SIZE = 1L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final Pattern SIZE = Pattern.compile("-(\\d+)([bkmg])(?=[.\\-_]|$)", Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> CHECKSUM_SUFFIXES =
            Map.of(".sha256", "SHA-256", ".sha512", "SHA-512", ".md5", "MD5");

    private final Vertx vertx;
    private final Map<String, Future<String>> digests = new ConcurrentHashMap<>();

    ImageServer(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The size of image {@code name} in bytes. */
    public static long sizeOf(String name) {
        Matcher m = SIZE.matcher(name);
        long size = DEFAULT_SIZE;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            size = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> n << 10;
                case "m" -> n << 20;
                case "g" -> n << 30;
                default -> n;
            };
        }
        return size;
    }

    /** Chunk {@code index} of image {@code name}: a function of the name and the index only. */
    static byte[] chunk(String name, long index, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed(name) ^ (index * 0x9E3779B97F4A7C15L)).nextBytes(b);
        return b;
    }

    private static long seed(String name) {
        long h = 1125899906842597L;
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + c;
        }
        return h;
    }

    /** Hex digest of image {@code name} with a JDK algorithm name (MD5, SHA-1, SHA-256, SHA-512, …); blocking. */
    public static String digest(String name, String algorithm) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException(e);
        }
        long size = sizeOf(name);
        for (long off = 0, i = 0; off < size; off += CHUNK, i++) {
            md.update(chunk(name, i, (int) Math.min(CHUNK, size - off)));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The cached digest, computed on a worker the first time. */
    Future<String> digestAsync(String name, String algorithm) {
        return digests.computeIfAbsent(
                algorithm + "/" + name, k -> vertx.executeBlocking(() -> digest(name, algorithm), false));
    }

    /** {@code rest} is the path after {@code /images/}. */
    void handle(HttpServerRequest req, String rest) {
        HttpServerResponse resp = req.response();
        if (rest.isEmpty()
                || rest.contains("/")
                || (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD)) {
            resp.setStatusCode(404).end("Not Found\n");
            return;
        }
        if (rest.startsWith("missing")) {
            resp.setStatusCode(404).putHeader("Content-Type", "text/plain").end("No such image: " + rest + "\n");
            return;
        }
        if (rest.startsWith("broken")) {
            resp.setStatusCode(500).putHeader("Content-Type", "text/plain").end("Image store unavailable\n");
            return;
        }
        for (Map.Entry<String, String> e : CHECKSUM_SUFFIXES.entrySet()) {
            if (rest.endsWith(e.getKey())) {
                String image = rest.substring(0, rest.length() - e.getKey().length());
                digestAsync(image, e.getValue()).onComplete(ar -> {
                    if (ar.failed()) {
                        resp.setStatusCode(500).end();
                    } else {
                        resp.putHeader("Content-Type", "text/plain").end(ar.result() + "  " + image + "\n");
                    }
                });
                return;
            }
        }
        long size = sizeOf(rest);
        resp.putHeader("Content-Type", "application/octet-stream").putHeader("Content-Length", String.valueOf(size));
        if (req.method() == HttpMethod.HEAD) {
            resp.end();
            return;
        }
        stream(resp, rest, size, 0);
    }

    /** Writes chunks while the connection takes them; resumes on drain (back-pressure, never the whole image). */
    private static void stream(HttpServerResponse resp, String name, long size, long offset) {
        long off = offset;
        while (off < size && !resp.writeQueueFull()) {
            int n = (int) Math.min(CHUNK, size - off);
            resp.write(Buffer.buffer(chunk(name, off / CHUNK, n)));
            off += n;
        }
        if (off >= size) {
            resp.end();
            return;
        }
        long next = off;
        resp.drainHandler(v -> stream(resp, name, size, next));
    }
}
