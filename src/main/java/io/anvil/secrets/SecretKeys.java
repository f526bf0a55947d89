package io.anvil.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that encrypt secrets at rest (docs/security.md#secrets-at-rest), by id. A key is written as
 * {@code [<id>:]<base64 of 32 random bytes>}, one per line of the key file ({@code secrets.key_file}) or separated by
 * commas or new lines in {@code secrets.key} ({@code ANVIL_SECRETS_KEY}); a key without an id is named by its
 * fingerprint ({@code k} and the first 8 hex digits of its SHA-256). The last key listed encrypts, unless
 * {@code secrets.active_key_id} names another (for a rolling change across conductors); every listed key decrypts.
 * Key bytes never appear in a message.
 */
public final class SecretKeys {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,40}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SecretKey> byId;
    private final String activeId;

    private SecretKeys(Map<String, SecretKey> byId, String activeId) {
        this.byId = byId;
        this.activeId = activeId;
    }

    /** No key at all: values are stored as given (only with {@code secrets.allow_plaintext}). */
    public static SecretKeys none() {
        return new SecretKeys(Map.of(), null);
    }

    /**
     * Parses key lines; {@code source} names where they came from in error messages.
     *
     * @param activeId the key that encrypts; null or blank for the last one listed
     */
    public static SecretKeys parse(String text, String source, String activeId) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String last = null;
        String[] entries = text.split("[,\\r\\n]+");
        int n = 0;
        for (String raw : entries) {
            n++;
            String entry = raw.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            String id = null;
            String material = entry;
            int colon = entry.indexOf(':');
            if (colon >= 0) {
                id = entry.substring(0, colon).strip();
                material = entry.substring(colon + 1).strip();
                if (!ID.matcher(id).matches()) {
                    throw new InvalidKeys(
                            source + ", entry " + n + ": a key id is 1 to 40 letters, digits, '.', '_'" + " or '-'");
                }
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(material);
            } catch (IllegalArgumentException e) {
                throw new InvalidKeys(source + ", entry " + n + ": not base64 (expected [<id>:]<base64 of 32 random"
                        + " bytes>, e.g. from 'anvil secrets generate-key')");
            }
            if (bytes.length != 32) {
                throw new InvalidKeys(
                        source + ", entry " + n + ": a key is 32 bytes (AES-256), this one has " + bytes.length);
            }
            if (id == null) {
                id = fingerprint(bytes);
            }
            if (keys.containsKey(id)) {
                throw new InvalidKeys(source + ": key id '" + id + "' is listed twice");
            }
            keys.put(id, new SecretKeySpec(bytes, "AES"));
            last = id;
        }
        if (keys.isEmpty()) {
            throw new InvalidKeys(source + " holds no key");
        }
        String active = activeId == null || activeId.isBlank() ? last : activeId.strip();
        if (!keys.containsKey(active)) {
            throw new InvalidKeys("secrets.active_key_id '" + active + "' is not among the keys of " + source + " ("
                    + String.join(", ", keys.keySet()) + ")");
        }
        return new SecretKeys(Map.copyOf(keys), active);
    }

    /** Reads a key file; blocking (start-up and the CLI only). */
    public static SecretKeys read(Path file, String activeId) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidKeys("cannot read the secrets key file " + file + ": " + e.getMessage());
        }
        return parse(text, "secrets key file " + file, activeId);
    }

    /** A new key line: {@code <id>:<base64>}, the id being the key's fingerprint. */
    public static String generateLine() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return fingerprint(b) + ":" + Base64.getEncoder().encodeToString(b);
    }

    /**
     * Creates {@code file} holding one new key, readable by its owner only (0600 where the file system has POSIX
     * permissions); fails if it exists. Blocking.
     */
    public static void generateFile(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        String content = "# Anvil's secrets key (docs/security.md): back it up with the database; without it the\n"
                + "# BMC passwords and other secrets stored there cannot be read.\n"
                + generateLine() + "\n";
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    static String fingerprint(byte[] key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key);
            return "k" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The id of the key that encrypts; null when there is no key. */
    public String activeId() {
        return activeId;
    }

    SecretKey active() {
        return activeId == null ? null : byId.get(activeId);
    }

    SecretKey byId(String id) {
        return byId.get(id);
    }

    public Set<String> ids() {
        return byId.keySet();
    }

    /** The ids in a stable order, for messages. */
    List<String> sortedIds() {
        List<String> ids = new ArrayList<>(byId.keySet());
        ids.sort(null);
        return ids;
    }

    @Override
    public String toString() {
        return "SecretKeys" + sortedIds() + " active " + activeId;
    }

    /** A key file or key setting that cannot be used; the message says which entry and why, never the key. */
    public static final class InvalidKeys extends RuntimeException {
        public InvalidKeys(String message) {
            super(message);
        }
    }
}
