package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which platforms the embedded PostgreSQL and Redis run on, and what a user on another one is told. */
class EmbeddedPlatformsTest {

    @Test
    void javaPropertiesNameThePlatformsOfTheBinaries() {
        assertEquals("linux-amd64", EmbeddedServices.platform("Linux", "amd64"));
        assertEquals("linux-arm64", EmbeddedServices.platform("Linux", "aarch64"));
        assertEquals("darwin-arm64", EmbeddedServices.platform("Mac OS X", "aarch64"));
        assertEquals("darwin-amd64", EmbeddedServices.platform("Mac OS X", "x86_64"));
        assertEquals("windows-amd64", EmbeddedServices.platform("Windows 11", "amd64"));
        assertEquals("freebsd-amd64", EmbeddedServices.platform("FreeBSD", "amd64"));
    }

    @Test
    void postgresRunsOnLinuxAndMacOnBothArchitectures() {
        for (String p : new String[] {"linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"}) {
            assertTrue(EmbeddedServices.POSTGRES_PLATFORMS.contains(p), p);
            assertTrue(EmbeddedServices.REDIS_PLATFORMS.contains(p), p);
        }
        assertFalse(EmbeddedServices.POSTGRES_PLATFORMS.contains("windows-amd64"));
    }

    @Test
    void anotherPlatformIsToldWhatToConfigure() {
        String message = EmbeddedServices.unavailable(
                "Redis", "linux-ppc64le", EmbeddedServices.REDIS_PLATFORMS, "redis.url", "ANVIL_REDIS_URL");
        assertTrue(message.contains("no binaries for linux-ppc64le"), message);
        assertTrue(message.contains("linux-arm64"), message);
        assertTrue(message.contains("redis.url"), message);
        assertTrue(message.contains("ANVIL_REDIS_URL"), message);
    }
}
