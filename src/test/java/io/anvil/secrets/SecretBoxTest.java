package io.anvil.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sealed format, key handling and failure messages of secrets at rest (docs/security.md#secrets-at-rest). */
class SecretBoxTest {
    private static final String KEY_A = "a:" + Base64.getEncoder().encodeToString(bytes(1));
    private static final String KEY_B = "b:" + Base64.getEncoder().encodeToString(bytes(2));

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private static SecretBox box(String keys) {
        return new SecretBox(SecretKeys.parse(keys, "test keys", null));
    }

    private static JsonObject driverInfo() {
        return new JsonObject()
                .put("ipmi_address", "10.0.0.5")
                .put("ipmi_password", "hunter2")
                .put("ipmi_hex_kg_key", "0badc0de")
                .put("ipmi_port", 623)
                .put("agent_secret_token_pregenerated", true)
                .put("nested", new JsonObject().put("auth_token", 12345))
                .put("list", new JsonArray().add(new JsonObject().put("root_password", "deep")));
    }

    @Test
    void sealsEverySecretValueAndOpensItBackExactly() {
        SecretBox a = box(KEY_A);
        JsonObject plain = driverInfo().put("configdrive", new JsonObject().put("user_data", "#cloud-config"));
        JsonObject sealed = a.sealAll(plain);
        String stored = sealed.encode();
        assertFalse(stored.contains("hunter2") || stored.contains("0badc0de") || stored.contains("deep"), stored);
        assertFalse(stored.contains("cloud-config") || stored.contains("12345"), stored);
        assertTrue(sealed.getString("ipmi_password").startsWith("anvil:enc:v1:a:"), stored);
        assertEquals("a", SecretBox.keyIdOf(sealed.getString("ipmi_hex_kg_key")));
        // what is not secret stays plain, queryable
        assertEquals("10.0.0.5", sealed.getString("ipmi_address"));
        assertEquals(623, sealed.getInteger("ipmi_port"));
        assertEquals(true, sealed.getBoolean("agent_secret_token_pregenerated"));
        assertEquals(plain, a.openAll(sealed, "driver_info", "node n1"));
        // a random nonce per value: the same value twice is two different strings
        assertNotEquals(sealed.getString("ipmi_password"), a.sealAll(plain).getString("ipmi_password"));
        // sealing twice keeps the sealed value as it is
        assertEquals(sealed, a.sealAll(sealed));
    }

    @Test
    void aNodeRowOpensWithItsSecretColumnsNewAndTheRowLeftSealed() {
        SecretBox a = box(KEY_A);
        JsonObject sealedInfo = a.sealAll(driverInfo());
        JsonObject row = new JsonObject()
                .put("uuid", "n1")
                .put("driver_info", sealedInfo)
                .put("properties", new JsonObject().put("cpus", 8));
        JsonObject opened = a.openNode(row);
        assertEquals(driverInfo(), opened.getJsonObject("driver_info"));
        assertEquals(sealedInfo, row.getJsonObject("driver_info"), "the row read keeps its sealed values");
        assertTrue(row.getJsonObject("driver_info").getString("ipmi_password").startsWith("anvil:enc:v1:a:"));
        assertEquals(8, opened.getJsonObject("properties").getInteger("cpus"));
        opened.put("name", "changed");
        assertFalse(row.containsKey("name"), "the opened row is a row of its own");
    }

    @Test
    void anyListedKeyOpensTheNewestSeals() {
        JsonObject underA = box(KEY_A).sealAll(driverInfo());
        SecretBox both = box(KEY_A + "\n" + KEY_B);
        assertEquals("b", both.keys().activeId());
        assertEquals(driverInfo(), both.openAll(underA, "driver_info", "node n1"));
        JsonObject resealed = both.reseal(underA, "driver_info", "node n1");
        assertEquals("b", SecretBox.keyIdOf(resealed.getString("ipmi_password")));
        assertNull(both.reseal(resealed, "driver_info", "node n1"), "already under the active key: nothing to do");
        assertEquals(driverInfo(), box(KEY_B).openAll(resealed, "driver_info", "node n1"));
        // plaintext (a row from before encryption) is encrypted by a reseal too
        JsonObject fromPlain = both.reseal(driverInfo(), "driver_info", "node n1");
        assertEquals("b", SecretBox.keyIdOf(fromPlain.getString("ipmi_password")));
        // a pinned active key wins over the order
        assertEquals(
                "a",
                new SecretBox(SecretKeys.parse(KEY_A + "," + KEY_B, "test", "a"))
                        .keys()
                        .activeId());
    }

    @Test
    void aMissingOrWrongKeyIsAClearErrorNeverGarbage() {
        String sealed = (String) box(KEY_A).seal("hunter2");
        SecretBox.Unreadable missing = assertThrows(
                SecretBox.Unreadable.class, () -> box(KEY_B).open(sealed, "driver_info.ipmi_password of node n1"));
        assertEquals(
                "Cannot read a secret: driver_info.ipmi_password of node n1 is encrypted with key 'a', which is not"
                        + " configured (configured: b); add that key to secrets.key_file or ANVIL_SECRETS_KEY.",
                missing.getMessage());
        SecretBox impostor = box("a:" + Base64.getEncoder().encodeToString(bytes(3)));
        SecretBox.Unreadable wrong = assertThrows(SecretBox.Unreadable.class, () -> impostor.open(sealed, "x"));
        assertTrue(wrong.getMessage().contains("cannot be decrypted with key 'a'"), wrong.getMessage());
        // one flipped character inside the nonce and ciphertext (not the last, whose low bits may be padding) is caught
        // by the GCM tag
        int at = "anvil:enc:v1:a:".length() + 20;
        char c = sealed.charAt(at);
        String tampered = sealed.substring(0, at) + (c == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThrows(SecretBox.Unreadable.class, () -> box(KEY_A).open(tampered, "x"));
        // no key at all (allow_plaintext) reads plaintext and refuses sealed values
        assertEquals("plain", SecretBox.plaintext().open("plain", "x"));
        assertThrows(SecretBox.Unreadable.class, () -> SecretBox.plaintext().open(sealed, "x"));
        assertEquals(500, missing.status());
        assertFalse(missing.getMessage().contains(sealed.substring(20)), "the value never appears in a message");
    }

    @Test
    void unreadableValuesCanBeDroppedByARotation() {
        JsonObject underA = box(KEY_A).sealAll(driverInfo());
        List<String> dropped = new java.util.ArrayList<>();
        JsonObject out = box(KEY_B).reseal(underA, "driver_info", "node n1", e -> dropped.add(e.getMessage()));
        assertFalse(out.containsKey("ipmi_password"));
        assertEquals("10.0.0.5", out.getString("ipmi_address"));
        assertEquals(4, dropped.size(), dropped.toString());
    }

    @Test
    void keysAreCheckedWithMessagesThatNameTheEntryNotTheKey() {
        assertEquals(
                "test, entry 1: a key is 32 bytes (AES-256), this one has 3",
                assertThrows(SecretKeys.InvalidKeys.class, () -> SecretKeys.parse("AAAA", "test", null))
                        .getMessage());
        assertTrue(assertThrows(SecretKeys.InvalidKeys.class, () -> SecretKeys.parse("k:not base64!", "test", null))
                .getMessage()
                .contains("not base64"));
        assertTrue(assertThrows(SecretKeys.InvalidKeys.class, () -> SecretKeys.parse(KEY_A + "," + KEY_A, "t", null))
                .getMessage()
                .contains("listed twice"));
        assertTrue(assertThrows(SecretKeys.InvalidKeys.class, () -> SecretKeys.parse(KEY_A, "t", "zz"))
                .getMessage()
                .contains("'zz' is not among the keys"));
        // a key without an id is named by its fingerprint
        String bare = Base64.getEncoder().encodeToString(bytes(7));
        assertTrue(SecretKeys.parse("# comment\n" + bare + "\n", "t", null)
                .activeId()
                .matches("k[0-9a-f]{8}"));
    }

    @Test
    void aGeneratedKeyFileIsPrivateAndUsable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/secrets.key");
        SecretKeys.generateFile(file);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        SecretBox box = new SecretBox(SecretKeys.read(file, null));
        assertEquals("s3cret", box.open(box.seal("s3cret"), "x"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> SecretKeys.generateFile(file));
    }

    @Test
    void apiInputThatLooksSealedIsRefused() {
        AnvilException e = assertThrows(
                AnvilException.class,
                () -> SecretBox.refuseSealedInput("driver_info", Map.of("ipmi_password", "anvil:enc:v1:a:AAAA")));
        assertEquals(400, e.status());
        SecretBox.refuseSealedInput("driver_info", new JsonObject().put("ipmi_password", "fine"));
    }
}
