package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * {@code rescue.finalize_rescue}: the password hash is kept, the command SUCCEEDS, then IPA stops serving its API and
 * heartbeating (extensions/rescue.py sets serve_api = False) while the machine stays up in rescue mode.
 */
class RescueTest extends SimAgentTestSupport {

    @Test
    void finalizeRescueKeepsTheHashThenTheAgentFallsSilent() {
        SimulatedAgent a = bootedAgent();
        String hash = "$6$rounds=656000$salt$hashedvalue";
        Resp r = command(
                a,
                "rescue.finalize_rescue",
                new JsonObject().put("rescue_password", hash).put("hashed", true),
                false);
        assertEquals(200, r.status(), r.body());
        assertEquals("finalize_rescue", r.json().getString("command_name"));
        assertEquals("SUCCEEDED", r.json().getString("command_status"));
        assertNull(r.json().getValue("command_result"));
        assertEquals(hash, a.rescuePasswordHash());
        waitUntil("API stopped", () -> !a.serving());
        assertTrue(a.running(), "the machine stays up in rescue mode");
        assertTrue(a.rescued());
        assertFalse(a.heartbeating(), "the heartbeat loop ended with the API");
        // nothing listens any more: the connection is dropped
        AssertionError refused = assertThrows(
                AssertionError.class,
                () -> send("GET", a.callbackUrl() + "/v1/commands/?agent_token=" + token(a), null));
        assertTrue(refused.getCause() instanceof java.io.IOException, String.valueOf(refused.getCause()));
    }

    @Test
    void aPlainPasswordIsHashedWithSha256Crypt() {
        SimulatedAgent a = bootedAgent();
        command(a, "rescue.finalize_rescue", new JsonObject().put("rescue_password", "secret"), false);
        String stored = a.rescuePasswordHash();
        assertTrue(stored.startsWith("$5$"), stored);
        String salt = stored.split("\\$")[2];
        assertEquals(stored, Sha256Crypt.hash("secret", salt));
    }

    @Test
    void sha256CryptMatchesTheReferenceVector() {
        // openssl passwd -5 -salt saltstring 'Hello world!'
        assertEquals(
                "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
                Sha256Crypt.hash("Hello world!", "saltstring"));
    }
}
