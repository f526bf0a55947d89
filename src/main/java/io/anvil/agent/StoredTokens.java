package io.anvil.agent;

import io.anvil.secrets.SecretBox;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a presented agent token against the one stored in driver_internal_info, which is encrypted at rest
 * (docs/security.md#secrets-at-rest). Every heartbeat passes here: each stored value is decrypted once (AES-GCM,
 * microseconds) and its plaintext kept, keyed by the stored value itself, so a new token (a new ciphertext) is a new
 * entry and nothing goes stale; the map is emptied when it grows past {@value #MAX_ENTRIES} entries. The comparison
 * stays constant-time ({@link AgentTokens#valid}). A token stored in clear (before encryption) is compared as it is.
 */
final class StoredTokens {
    private static final Logger LOG = LoggerFactory.getLogger(StoredTokens.class);
    static final int MAX_ENTRIES = 65_536;

    private final SecretBox box;
    private final ConcurrentHashMap<String, String> opened = new ConcurrentHashMap<>();

    StoredTokens(SecretBox box) {
        this.box = box;
    }

    /** Whether {@code presented} is the token {@code stored} for node {@code uuid}; an unreadable one matches nothing. */
    boolean matches(String uuid, String stored, String presented) {
        if (stored == null || !SecretBox.isSealed(stored)) {
            return AgentTokens.valid(stored, presented);
        }
        String known = opened.get(stored);
        if (known == null) {
            try {
                known = box.openString(stored, "driver_internal_info.agent_secret_token of node " + uuid);
            } catch (SecretBox.Unreadable e) {
                LOG.error("{}", e.getMessage());
                return false;
            }
            if (known == null) {
                return false;
            }
            if (opened.size() >= MAX_ENTRIES) {
                opened.clear();
            }
            opened.put(stored, known);
        }
        return AgentTokens.valid(known, presented);
    }
}
