package io.anvil.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Ironic's mask_dict_password semantics: secret values at any depth become ******, the rest is kept. */
class SecretsTest {

    private static JsonObject node(String password) {
        return new JsonObject()
                .put("uuid", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
                .put(
                        "driver_info",
                        new JsonObject().put("ipmi_address", "10.0.0.1").put("ipmi_password", password))
                .put("instance_info", new JsonObject().put("configdrive", "H4sI..."))
                .put("extra", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("token", "t0k"))))
                .put("description", null);
    }

    @Test
    void maskReplacesEverySecretAtAnyDepthAndKeepsTheRest() {
        JsonObject in = node("hunter2");
        JsonObject out = Secrets.mask(in);
        assertEquals(Secrets.MASK, out.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("10.0.0.1", out.getJsonObject("driver_info").getString("ipmi_address"));
        assertEquals(Secrets.MASK, out.getJsonObject("instance_info").getString("configdrive"));
        assertEquals(
                Secrets.MASK,
                out.getJsonObject("extra").getJsonArray("tags").getJsonObject(0).getString("token"));
        assertTrue(out.containsKey("description"));
        assertEquals("hunter2", in.getJsonObject("driver_info").getString("ipmi_password"), "the input is untouched");
    }

    @Test
    void secretKeysAreRecognisedWhateverTheirCase() {
        assertTrue(Secrets.isSecretKey("IPMI_Password"));
        assertTrue(Secrets.isSecretKey("agent_secret_token"));
        assertTrue(Secrets.isSecretKey("redfish_verify_ca_key"));
        assertFalse(Secrets.isSecretKey("ipmi_username"));
        assertFalse(Secrets.isSecretKey("power_state"));
    }
}
