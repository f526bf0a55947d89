package io.anvil.auth;

import io.anvil.config.AnvilConfig.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * An Apache htpasswd file with bcrypt hashes only ({@code $2y$}, {@code $2b$}, {@code $2a$}), read as Ironic's
 * http_basic reads it (ironic/common/auth_basic.py): {@code user:hash} lines, blank lines ignored, any other hash
 * refused at start. Checking a password is CPU-heavy by design (bcrypt): callers run it on a worker thread.
 */
final class Htpasswd {
    private final Map<String, String> hashes;
    /** Checked when the user does not exist, so an unknown user costs as much as a wrong password. */
    private final String decoy;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = hashes;
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String cost =
                hashes.isEmpty() ? "10" : hashes.values().iterator().next().substring(4, 6);
        this.decoy = OpenBSDBCrypt.generate("2y", "decoy".toCharArray(), salt, Integer.parseInt(cost));
    }

    static Htpasswd load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read api.http_basic_auth_user_file " + file + ": " + e.getMessage());
        }
        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String entry = lines.get(i).strip();
            int colon = entry.indexOf(':');
            if (entry.isEmpty() || colon < 0) {
                continue;
            }
            String user = entry.substring(0, colon);
            String hash = entry.substring(colon + 1);
            if (!(hash.startsWith("$2y$") || hash.startsWith("$2b$") || hash.startsWith("$2a$"))
                    || hash.length() != 60) {
                throw new ConfigException(file + " line " + (i + 1) + ": only bcrypt digested passwords are"
                        + " supported (htpasswd -B), for user " + user);
            }
            // the first entry of a user wins, as Ironic's reader returns at the first matching line
            hashes.putIfAbsent(user, hash);
        }
        return new Htpasswd(Map.copyOf(hashes));
    }

    /** True when the user exists and the password matches; the same work either way. */
    boolean check(String user, String password) {
        String hash = hashes.get(user);
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash == null ? decoy : hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            ok = false; // a password bcrypt cannot take (over 72 bytes, or empty): no match
        }
        return hash != null && ok;
    }

    boolean has(String user) {
        return hashes.containsKey(user);
    }
}
