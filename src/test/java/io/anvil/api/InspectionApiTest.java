package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The body check of {@code POST /v1/continue_inspection}: Ironic's DATA_VALIDATOR with its jsonschema messages, plus
 * the shape of what processing reads. The HTTP side (status, nothing written) is in conductor.AgentInspectTest.
 */
class InspectionApiTest {
    private static JsonObject minimal() {
        return new JsonObject()
                .put(
                        "inventory",
                        new JsonObject()
                                .put(
                                        "interfaces",
                                        new JsonArray().add(new JsonObject().put("mac_address", "52:54:00:12:34:56"))));
    }

    private static String refusal(JsonObject data) {
        AnvilException e = assertThrows(AnvilException.class, () -> InspectionApi.validate(data));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void aMinimalInventoryWithExtraFieldsIsAccepted() {
        InspectionApi.validate(minimal());
        JsonObject extra = minimal().put("root_disk", new JsonObject()).put("error", null);
        extra.getJsonObject("inventory")
                .put("bmc_address", null)
                .put("bmc_v6address", "::/0")
                .put("cpu", new JsonObject())
                .put("memory", new JsonObject())
                .put("disks", new JsonArray())
                .put("boot", new JsonObject().put("pxe_interface", "52:54:00:12:34:56"));
        InspectionApi.validate(extra);
    }

    @Test
    void eachMalformedPartIsNamedAsIronicNamesIt() {
        assertEquals("Schema error for data: 'inventory' is a required property", refusal(new JsonObject()));
        assertEquals(
                "Schema error for data: None is not of type 'object'", refusal(new JsonObject().putNull("inventory")));
        JsonObject bmc = minimal();
        bmc.getJsonObject("inventory").put("bmc_address", 10);
        assertEquals("Schema error for data: 10 is not of type 'string', 'null'", refusal(bmc));
        JsonObject ifaces = minimal();
        ifaces.getJsonObject("inventory").put("interfaces", new JsonObject());
        assertEquals("Schema error for data: {} is not of type 'array'", refusal(ifaces));
        JsonObject notObject = minimal();
        notObject.getJsonObject("inventory").put("interfaces", new JsonArray().add("eth0"));
        assertEquals("Schema error for data: 'eth0' is not of type 'object'", refusal(notObject));
        JsonObject macNumber = minimal();
        macNumber
                .getJsonObject("inventory")
                .put("interfaces", new JsonArray().add(new JsonObject().put("mac_address", true)));
        assertEquals("Schema error for data: True is not of type 'string'", refusal(macNumber));
        JsonObject disk = minimal();
        disk.getJsonObject("inventory").put("disks", new JsonArray().add(1));
        assertEquals("Schema error for data: 1 is not of type 'object'", refusal(disk));
    }
}
