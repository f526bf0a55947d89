package io.anvil.secrets;

import io.anvil.config.AnvilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code secrets:} settings turned into a {@link SecretBox} (docs/security.md#secrets-at-rest): the keys of
 * {@code secrets.key_file} or of {@code secrets.key} ({@code ANVIL_SECRETS_KEY}); with neither, only
 * {@code secrets.allow_plaintext: true} lets Anvil start, storing secrets as given. Blocking (reads a file): start-up
 * and the CLI only.
 */
public final class SecretsConfig {
    private static final Logger LOG = LoggerFactory.getLogger(SecretsConfig.class);
    /** The key file the embedded default creates under embedded.data_dir. */
    public static final String EMBEDDED_KEY_FILE = "secrets.key";

    private SecretsConfig() {}

    public static String text(AnvilConfig config, String key) {
        return config.setting(key).map(Object::toString).orElse("").strip();
    }

    /** Whether a key is configured (a key file or inline keys). */
    public static boolean hasKey(AnvilConfig config) {
        return !text(config, "secrets.key_file").isEmpty()
                || !text(config, "secrets.key").isEmpty();
    }

    public static boolean allowPlaintext(AnvilConfig config) {
        return Boolean.TRUE.equals(config.setting("secrets.allow_plaintext").orElse(false));
    }

    /** The box of this configuration, or {@link SecretKeys.InvalidKeys} saying what to set. */
    public static SecretBox load(AnvilConfig config) {
        String file = text(config, "secrets.key_file");
        String inline = text(config, "secrets.key");
        String active = text(config, "secrets.active_key_id");
        if (!file.isEmpty() && !inline.isEmpty()) {
            throw new SecretKeys.InvalidKeys(
                    "set secrets.key_file or secrets.key (ANVIL_SECRETS_KEY), not both: the keys must come from one place");
        }
        if (!file.isEmpty()) {
            Path path = Path.of(file);
            warnIfOthersCanRead(path);
            return new SecretBox(SecretKeys.read(path, active));
        }
        if (!inline.isEmpty()) {
            return new SecretBox(SecretKeys.parse(inline, "secrets.key (ANVIL_SECRETS_KEY)", active));
        }
        if (allowPlaintext(config)) {
            LOG.warn("secrets.allow_plaintext is true and no key is configured: BMC passwords, agent tokens and other"
                    + " secrets are stored in PostgreSQL unencrypted (docs/security.md)");
            return SecretBox.plaintext();
        }
        throw new SecretKeys.InvalidKeys("no secrets key is configured. Anvil encrypts BMC passwords, agent tokens and"
                + " other secrets in PostgreSQL and needs a key: create one with 'anvil secrets generate-key >"
                + " /etc/anvil/secrets.key; chmod 600 /etc/anvil/secrets.key' and set secrets.key_file (or"
                + " ANVIL_SECRETS_KEY=<the key>); back the key up with the database (docs/security.md)."
                + " secrets.allow_plaintext: true starts without one, storing secrets unencrypted");
    }

    /**
     * The embedded default's key: {@code <data_dir>/secrets.key}, created (mode 0600) when absent. Returns the
     * configuration naming it and whether it was created now.
     */
    public static Embedded embeddedKey(AnvilConfig config, Path dataDir) throws IOException {
        Path file = dataDir.resolve(EMBEDDED_KEY_FILE);
        boolean created = false;
        if (!Files.exists(file)) {
            SecretKeys.generateFile(file);
            created = true;
        }
        return new Embedded(config.withSetting("secrets.key_file", file.toString()), file, created);
    }

    /** What {@link #embeddedKey} did. */
    public record Embedded(AnvilConfig config, Path file, boolean created) {}

    private static void warnIfOthersCanRead(Path file) {
        try {
            if (!file.getFileSystem().supportedFileAttributeViews().contains("posix") || !Files.exists(file)) {
                return;
            }
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.GROUP_READ)) {
                LOG.warn("the secrets key file {} is readable by other users: chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // only a warning: reading the key reports real problems
        }
    }
}
