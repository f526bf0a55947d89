package io.anvil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The per-heartbeat checks written for speed agree with their plain definitions. */
class IntakeChecksTest {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    /** The definition: urlparse's scheme syntax, a scheme containing "http", no whitespace or control characters. */
    private static boolean reference(String url) {
        int colon = url.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(url.substring(0, colon)).matches()) {
            return false;
        }
        for (int i = 0; i < url.length(); i++) {
            if (Character.isWhitespace(url.charAt(i)) || Character.isISOControl(url.charAt(i))) {
                return false;
            }
        }
        return url.substring(0, colon).toLowerCase(Locale.ROOT).contains("http");
    }

    @Test
    void httpSchemeAgreesWithItsDefinition() {
        String[] urls = {
            "http://10.0.0.5:9999",
            "https://h:1",
            "HTTP://x",
            "hTtPs://x",
            "xhttpx://x",
            "svn+https://x",
            "htt://x",
            "htt:p://x",
            "ftp://x",
            "10.0.0.5:9999",
            ":x",
            "",
            "http",
            "1http://x",
            "ht-tp://x",
            "http ://x",
            "http://a b",
            "http://a\u0000",
            "h\u00e9http://x",
            "http\u212a://x",
            "ahtt:http://x"
        };
        for (String u : urls) {
            assertEquals(reference(u), HeartbeatIntake.httpScheme(u), u);
        }
        Random random = new Random(7);
        String alphabet = "hHtTpPsS:/.+-1 a\u00e9";
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String u = sb.toString();
            assertEquals(reference(u), HeartbeatIntake.httpScheme(u), u);
        }
    }

    @Test
    void tokensMatchOnlyExactly() {
        assertTrue(AgentTokens.valid("abc", "abc"));
        assertFalse(AgentTokens.valid("abc", "abd"));
        assertFalse(AgentTokens.valid("abc", "ab"));
        assertFalse(AgentTokens.valid("abc", "abcabc"), "a repetition of the token is not the token");
        assertFalse(AgentTokens.valid("abc", ""));
        assertTrue(AgentTokens.valid("", ""), "as Ironic's plain comparison (no token is ever empty)");
        assertFalse(AgentTokens.valid("", "abc"));
        assertFalse(AgentTokens.valid(null, "abc"));
        assertFalse(AgentTokens.valid("abc", null));
        String t = AgentTokens.generate();
        assertTrue(AgentTokens.valid(t, new String(t.toCharArray())));
    }

    @Test
    void isoformatIsIronicsNaiveUtcWithMicrosecondsOmittedWhenZero() {
        DateTimeFormatter micros = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
        DateTimeFormatter seconds = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
        Random random = new Random(3);
        for (int n = 0; n < 10_000; n++) {
            long us = 1_500_000_000_000_000L + (random.nextLong() & 0xffffffffffffL);
            if (n % 10 == 0) {
                us -= Math.floorMod(us, 1_000_000); // whole seconds
            }
            LocalDateTime t = LocalDateTime.ofEpochSecond(
                    Math.floorDiv(us, 1_000_000), (int) Math.floorMod(us, 1_000_000) * 1000, ZoneOffset.UTC);
            String expected = t.getNano() == 0 ? seconds.format(t) : micros.format(t);
            assertEquals(expected, LivenessCoalescer.isoformat(us));
            assertEquals(t, LivenessCoalescer.at(us).toLocalDateTime());
        }
        assertEquals("2026-12-05T20:41:08.000001", LivenessCoalescer.isoformat(1796503268000001L));
    }
}
