package io.anvil.agent;

import java.security.SecureRandom;
import java.util.Base64;

/** Agent tokens as Ironic makes them ({@code secrets.token_urlsafe()}: 32 random bytes, URL-safe base64). */
public final class AgentTokens {
    /** What a later lookup gets instead of the token, and what every response shows. */
    public static final String MASK = "******";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URLSAFE = Base64.getUrlEncoder().withoutPadding();

    private AgentTokens() {}

    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return URLSAFE.encodeToString(b);
    }

    /**
     * Ironic's is_agent_token_valid, compared in constant time so response timing tells nothing about the token (the
     * time depends on the presented length only); char by char, without copying either string to bytes.
     */
    public static boolean valid(String known, String presented) {
        if (known == null || presented == null) {
            return false;
        }
        if (known.isEmpty()) { // never issued so, but Ironic compares plainly: "" is ""
            return presented.isEmpty();
        }
        int diff = known.length() ^ presented.length();
        for (int i = 0; i < presented.length(); i++) {
            diff |= presented.charAt(i) ^ known.charAt(i % known.length());
        }
        return diff == 0;
    }
}
