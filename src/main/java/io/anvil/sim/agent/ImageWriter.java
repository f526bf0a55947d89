package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code standby.prepare_image} as ironic-python-agent runs it (extensions/standby.py): validate {@code image_info},
 * work out the expected digest ({@code os_hash_algo}/{@code os_hash_value}, else the legacy {@code checksum} — a
 * digest whose length names the algorithm, or a URL of a checksum file), download {@code urls[0]} with Vert.x's
 * WebClient streaming into a sink that hashes as bytes arrive (never holding the image), verify, and "write" it to
 * the machine's {@link SimulatedDisk}. Failures carry IPA's error types and texts; connection errors, 5xx answers
 * and checksum mismatches are retried {@code image_download_connection_retries} times, 4xx answers are not.
 */
final class ImageWriter {
    /** Python hashlib names IPA accepts in os_hash_algo, to JDK names. */
    private static final Map<String, String> ALGORITHMS = Map.of(
            "md5", "MD5",
            "sha1", "SHA-1",
            "sha224", "SHA-224",
            "sha256", "SHA-256",
            "sha384", "SHA-384",
            "sha512", "SHA-512",
            "sha3_256", "SHA3-256",
            "sha3_512", "SHA3-512");

    private static final List<Pattern> CHECKSUM_ONLY = List.of(
            Pattern.compile("^([a-fA-F\\d]{32})$"),
            Pattern.compile("^([a-fA-F\\d]{64})$"),
            Pattern.compile("^([a-fA-F\\d]{128})$"));
    private static final List<Pattern> CHECKSUM_IN_LINE = List.of(
            Pattern.compile("^([a-fA-F\\d]{32})\\s"),
            Pattern.compile("\\s([a-fA-F\\d]{32})$"),
            Pattern.compile("^([a-fA-F\\d]{64})\\s"),
            Pattern.compile("\\s([a-fA-F\\d]{64})$"),
            Pattern.compile("^([a-fA-F\\d]{128})\\s"),
            Pattern.compile("\\s([a-fA-F\\d]{128})$"));

    /** How the downloaded bytes are checked: IPA's algorithm name, the JDK's, and the expected hex digest. */
    record Verification(String algorithm, String jdkAlgorithm, String expected) {}

    private final AgentFleet fleet;
    private final WebClient web;

    ImageWriter(AgentFleet fleet, WebClient web) {
        this.fleet = fleet;
        this.web = web;
    }

    /** IPA's _validate_image_info: raised before the command starts (the API answers 400). */
    static void validate(JsonObject imageInfo, boolean md5Enabled) {
        if (imageInfo == null) {
            imageInfo = new JsonObject();
        }
        for (String field : List.of("id", "urls")) {
            if (!imageInfo.containsKey(field)) {
                throw IpaError.invalidParams("Image is missing '" + field + "' field.");
            }
        }
        if (!(imageInfo.getValue("urls") instanceof JsonArray urls) || urls.isEmpty()) {
            throw IpaError.invalidParams("Image 'urls' must be a list with at least one element.");
        }
        boolean checksumAvailable = false;
        Object checksum = imageInfo.getValue("checksum");
        if (checksum != null) {
            if (!(checksum instanceof String s) || s.isEmpty()) {
                throw IpaError.invalidParams("Image 'checksum' must be a non-empty string.");
            }
            checksumAvailable = isUrl(s) || s.length() > 32 || md5Enabled;
        }
        Object algo = imageInfo.getValue("os_hash_algo");
        Object value = imageInfo.getValue("os_hash_value");
        if (isSet(algo) || isSet(value)) {
            if (!(algo instanceof String a) || a.isEmpty()) {
                throw IpaError.invalidParams("Image 'os_hash_algo' must be a non-empty string.");
            }
            if (!(value instanceof String v) || v.isEmpty()) {
                throw IpaError.invalidParams("Image 'os_hash_value' must be a non-empty string.");
            }
            checksumAvailable = true;
        }
        if (!checksumAvailable) {
            throw IpaError.invalidParams("Image checksum is not available, either the 'checksum' field or the "
                    + "'os_hash_algo' and 'os_hash_value' fields pair must be set for image verification.");
        }
    }

    private static boolean isSet(Object o) {
        return o != null && !(o instanceof String s && s.isEmpty()) && !Boolean.FALSE.equals(o);
    }

    static boolean isUrl(String s) {
        return s.startsWith("http://") || s.startsWith("https://");
    }

    /**
     * Downloads, verifies and writes the image; completes with IPA's result text (without the command prefix), or
     * fails with an {@link IpaError}. Takes at least {@code minimumTime}.
     */
    Future<String> write(
            JsonObject imageInfo,
            Object configdrive,
            boolean md5Enabled,
            SimulatedDisk disk,
            java.util.function.BooleanSupplier sameBoot) {
        long started = System.nanoTime();
        String id = String.valueOf(imageInfo.getValue("id"));
        String url = String.valueOf(imageInfo.getJsonArray("urls").getValue(0));
        boolean stream =
                imageInfo.getBoolean("stream_raw_images", false) && "raw".equals(imageInfo.getString("disk_format"));
        // where IPA puts the bytes: straight onto the disk when streaming raw images, else a file in /tmp
        String location = stream ? disk.device() : "/tmp/" + id;
        return verification(imageInfo, md5Enabled)
                .compose(v -> download(id, url, location, v, 0))
                .compose(done -> {
                    long minimum = fleet.options().prepareImageTime().toNanos();
                    long left = (minimum - (System.nanoTime() - started)) / 1_000_000;
                    return left > 0 ? delay(left).map(done) : Future.succeededFuture(done);
                })
                .compose(done -> sameBoot.getAsBoolean()
                        ? Future.succeededFuture(done)
                        : Future.failedFuture(IpaError.commandExecution("the machine went down while writing")))
                .map(done -> {
                    String rootUuid = "0x" + done.digest().substring(0, 8);
                    boolean hasConfigdrive = configdrive != null || imageInfo.getValue("configdrive") != null;
                    disk.write(new SimulatedDisk.Contents(
                            id,
                            url,
                            done.bytes(),
                            done.verification().algorithm(),
                            done.digest(),
                            hasConfigdrive,
                            rootUuid,
                            Instant.now()));
                    return "image (" + id + ") written to device " + disk.device() + " root_uuid=" + rootUuid;
                });
    }

    private Future<Long> delay(long ms) {
        Promise<Long> p = Promise.promise();
        fleet.timer(ms, () -> p.complete(ms));
        return p.future();
    }

    /** IPA's ImageDownload.__init__: which algorithm, which expected value. */
    Future<Verification> verification(JsonObject imageInfo, boolean md5Enabled) {
        String id = String.valueOf(imageInfo.getValue("id"));
        String algo = imageInfo.getString("os_hash_algo");
        String checksum = imageInfo.getValue("checksum") instanceof String s ? s : null;
        if (algo != null && ALGORITHMS.containsKey(algo)) {
            String value = imageInfo.getString("os_hash_value");
            Future<String> expected = isUrl(value) ? fetchChecksum(value, imageInfo) : Future.succeededFuture(value);
            return expected.map(e -> new Verification(algo, ALGORITHMS.get(algo), e));
        }
        if (checksum != null && isUrl(checksum)) {
            return fetchChecksum(checksum, imageInfo).map(e -> {
                String a = byLength(e, md5Enabled);
                return new Verification(a, ALGORITHMS.get(a), e);
            });
        }
        if (checksum != null) {
            try {
                String a = byLength(checksum, md5Enabled);
                return Future.succeededFuture(new Verification(a, ALGORITHMS.get(a), checksum));
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(IpaError.rest("Unable to proceed with image " + id + " as the checksum "
                        + "indicator has been used but the algorithm could not be identified. Error: "
                        + e.getMessage()));
            }
        }
        return Future.failedFuture(IpaError.rest("Unable to verify image " + id + " with available checksums. Please "
                + "make sure the specified 'os_hash_algo' (currently " + (algo == null ? "None" : algo) + ") is "
                + "supported by this ramdisk, or provide a md5 checksum via the 'checksum' field"));
    }

    /** IPA's _get_algorithm_by_length. */
    static String byLength(String checksum, boolean md5Enabled) {
        return switch (checksum.length()) {
            case 128 -> "sha512";
            case 64 -> "sha256";
            case 32 -> {
                if (!md5Enabled) {
                    throw new IllegalArgumentException(
                            "MD5 support is disabled, and support will be removed in a 2024 version of Ironic.");
                }
                yield "md5";
            }
            default ->
                throw new IllegalArgumentException("Unable to identify checksum algorithm used, and a value is "
                        + "not specified in the os_hash_algo setting.");
        };
    }

    /** IPA's _fetch_checksum: the checksum file's line for the image's file name (or its only checksum). */
    Future<String> fetchChecksum(String checksumUrl, JsonObject imageInfo) {
        return web.getAbs(checksumUrl)
                .idleTimeout(fleet.options().imageDownloadTimeout().toMillis())
                .send()
                .recover(e -> Future.failedFuture(connectionError(checksumUrl, e)))
                .compose(resp -> {
                    String text = resp.bodyAsString() == null ? "" : resp.bodyAsString();
                    if (resp.statusCode() != 200) {
                        String msg = statusMessage(resp.statusCode(), checksumUrl, text, resp.headers());
                        return Future.failedFuture(
                                resp.statusCode() < 500
                                        ? IpaError.imageDownloadFatal(checksumUrl, msg)
                                        : IpaError.imageDownload(checksumUrl, msg));
                    }
                    try {
                        return Future.succeededFuture(parseChecksumFile(checksumUrl, text, imageInfo));
                    } catch (IpaError e) {
                        return Future.failedFuture(e);
                    }
                });
    }

    static String parseChecksumFile(String checksumUrl, String text, JsonObject imageInfo) {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.strip().isEmpty()) {
                lines.add(l.strip());
            }
        }
        if (lines.isEmpty()) {
            throw IpaError.imageDownload(checksumUrl, "Empty checksum file");
        }
        if (lines.size() == 1 && !lines.get(0).contains(" ")) {
            for (Pattern p : CHECKSUM_ONLY) {
                Matcher m = p.matcher(lines.get(0));
                if (m.find()) {
                    return m.group(1);
                }
            }
            throw IpaError.imageDownload(checksumUrl, "Invalid checksum file (No valid checksum found) " + lines);
        }
        String path = URI.create(String.valueOf(imageInfo.getJsonArray("urls").getValue(0)))
                .getPath();
        String fname = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        Pattern byName = Pattern.compile("\\s[*]?" + Pattern.quote(fname) + "$");
        Pattern centos = Pattern.compile("\\s\\(" + Pattern.quote(fname) + "\\)\\s");
        for (String line : lines) {
            if (line.startsWith("#")
                    || !(byName.matcher(line).find() || centos.matcher(line).find())) {
                continue;
            }
            for (Pattern p : CHECKSUM_IN_LINE) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        throw IpaError.imageDownload(checksumUrl, "Checksum file does not contain name " + fname);
    }

    /** What a finished download produced. */
    record Downloaded(Verification verification, String digest, long bytes) {}

    /** One attempt of IPA's _download_image loop; retried on ImageDownloadError, ImageChecksumError, connections. */
    private Future<Downloaded> download(String id, String url, String location, Verification v, int attempt) {
        long started = System.nanoTime();
        DigestingSink sink = new DigestingSink(v.jdkAlgorithm());
        return web.getAbs(url)
                .idleTimeout(fleet.options().imageDownloadTimeout().toMillis())
                .as(BodyCodec.pipe(sink))
                .send()
                .transform(ar -> {
                    if (ar.failed()) {
                        return Future.<Downloaded>failedFuture(connectionError(url, ar.cause()));
                    }
                    HttpResponse<Void> resp = ar.result();
                    if (resp.statusCode() != 200) {
                        String msg = statusMessage(resp.statusCode(), url, sink.head(), resp.headers());
                        if (resp.statusCode() < 500) {
                            return Future.<Downloaded>failedFuture(IpaError.imageDownloadFatal(id, msg));
                        }
                        double seconds = (System.nanoTime() - started) / 1e9;
                        return Future.<Downloaded>failedFuture(IpaError.imageDownload(
                                id, "URL: " + url + "; time: " + seconds + " seconds. Error: " + msg));
                    }
                    String digest = sink.hex();
                    if (!digest.equals(v.expected())) {
                        return Future.<Downloaded>failedFuture(
                                IpaError.imageChecksum(id, location, v.expected(), digest));
                    }
                    return Future.succeededFuture(new Downloaded(v, digest, sink.bytes()));
                })
                .recover(e -> {
                    boolean retryable = !(e instanceof IpaError ie) || !ie.type.equals("ImageDownloadFatalError");
                    if (!retryable || attempt >= fleet.options().imageDownloadRetries()) {
                        return Future.failedFuture(e);
                    }
                    Promise<Downloaded> again = Promise.promise();
                    fleet.timer(
                            fleet.options().imageDownloadRetryInterval().toMillis(),
                            () -> download(id, url, location, v, attempt + 1).onComplete(again));
                    return again.future();
                });
    }

    /** An unreachable server: IPA lets the requests exception escape, so it becomes a CommandExecutionError. */
    private static IpaError connectionError(String url, Throwable cause) {
        URI u = URI.create(url);
        return IpaError.commandExecution("HTTPConnectionPool(host='" + u.getHost() + "', port=" + u.getPort()
                + "): Max retries exceeded with url: " + u.getRawPath() + " (Caused by NewConnectionError('"
                + cause.getMessage() + "'))");
    }

    private static String statusMessage(int status, String url, String body, io.vertx.core.MultiMap headers) {
        StringBuilder h = new StringBuilder("{");
        headers.forEach(e -> h.append(h.length() > 1 ? ", " : "")
                .append('\'')
                .append(e.getKey())
                .append("': '")
                .append(e.getValue())
                .append('\''));
        h.append('}');
        return "Received status code " + status + " from " + url + ", expected 200. Response body: " + body
                + " Response headers: " + h;
    }

    /**
     * Where the body streams: each chunk is hashed (MessageDigest over one network chunk, microseconds) and
     * counted, as IPA hashes while writing; only the first bytes are kept, for error messages.
     */
    static final class DigestingSink implements WriteStream<Buffer> {
        private static final int HEAD = 512;
        private final MessageDigest digest;
        private final StringBuilder head = new StringBuilder();
        private long bytes;

        DigestingSink(String jdkAlgorithm) {
            try {
                digest = MessageDigest.getInstance(jdkAlgorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalArgumentException(e);
            }
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            byte[] b = data.getBytes();
            digest.update(b);
            bytes += b.length;
            if (head.length() < HEAD) {
                head.append(new String(b, 0, Math.min(b.length, HEAD - head.length()), StandardCharsets.ISO_8859_1));
            }
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            return Future.succeededFuture();
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            return this;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        long bytes() {
            return bytes;
        }

        String head() {
            return head.toString();
        }
    }
}
