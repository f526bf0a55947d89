package io.anvil.driver.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.agent.RescuePasswordHash.Algorithm;
import org.junit.jupiter.api.Test;

/**
 * The rescue password's crypt(3) strings match the SHA-crypt specification's test vectors and glibc/OpenSSL
 * ({@code openssl passwd -5/-6 -salt ...}), so the rescue ramdisk's login accepts them.
 */
class RescuePasswordHashTest {
    @Test
    void specificationVectors() {
        assertEquals(
                "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                RescuePasswordHash.crypt("Hello world!", "saltstring", Algorithm.SHA256));
        assertEquals(
                "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                RescuePasswordHash.crypt("Hello world!", "saltstring", Algorithm.SHA512));
    }

    @Test
    void longPasswordsAndSaltsAsOpensslComputesThem() {
        // the salt is cut to 16 characters; a password longer than the digest repeats blocks
        assertEquals(
                "$5$toolongsaltstrin$aZzLKn6uX8rZQGXBlxUgZWSaOwOgCeSEq4l6QqOYvs3",
                RescuePasswordHash.crypt(
                        "a much longer password that exceeds thirty two bytes by a lot, truly",
                        "toolongsaltstringXYZ",
                        Algorithm.SHA256));
        assertEquals(
                "$5$x$h.brg.xG5lrk70bjc5DkPQTNkEr1uQgbhuZFQNDrvk9",
                RescuePasswordHash.crypt("p", "x", Algorithm.SHA256));
    }

    @Test
    void aNewHashHasARandomSaltAndNeverContainsThePassword() {
        String a = RescuePasswordHash.hash("s3cret-rescue", Algorithm.SHA256);
        String b = RescuePasswordHash.hash("s3cret-rescue", Algorithm.SHA256);
        assertTrue(RescuePasswordHash.isCryptString(a), a);
        assertTrue(a.startsWith("$5$"));
        assertNotEquals(a, b, "a random salt each time");
        assertFalse(a.contains("s3cret"));
        // the salt it chose reproduces it
        String salt = a.split("\\$")[2];
        assertEquals(a, RescuePasswordHash.crypt("s3cret-rescue", salt, Algorithm.SHA256));
        assertTrue(RescuePasswordHash.matches("s3cret-rescue", a));
        assertFalse(RescuePasswordHash.matches("s3cret-rescuE", a));
        String c = RescuePasswordHash.hash("s3cret-rescue", Algorithm.SHA512);
        assertTrue(c.startsWith("$6$") && RescuePasswordHash.isCryptString(c), c);
        assertTrue(RescuePasswordHash.matches("s3cret-rescue", c));
    }

    @Test
    void theSettingNamesIronicsChoices() {
        assertEquals(Algorithm.SHA256, Algorithm.fromSetting("sha256"));
        assertEquals(Algorithm.SHA512, Algorithm.fromSetting("SHA512"));
        assertThrows(IllegalArgumentException.class, () -> Algorithm.fromSetting("md5"));
        assertFalse(RescuePasswordHash.isCryptString("plain-password"));
    }
}
