package io.anvil.driver.raid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ironic's RAID schema checks (ironic/drivers/raid_config_schema.json) with jsonschema's messages, one rule per row,
 * and update_raid_info's effects on the node.
 */
class RaidConfigTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not an object|[]|[] is not of type 'object'",
                "no logical_disks|{}|'logical_disks' is a required property",
                "empty list|{\"logical_disks\": []}|[] is too short",
                "negative size|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": -1}]}|-1 is not valid under any"
                        + " of the given schemas",
                "size as text|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": \"big\"}]}|'big' is not valid"
                        + " under any of the given schemas",
                "physical disks without controller|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": 1,"
                        + " \"physical_disks\": [\"a\"]}]}|'controller' is a dependency of 'physical_disks'",
                "zero disks|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": 1, \"number_of_physical_disks\":"
                        + " 0}]}|0 is less than or equal to the minimum of 0",
                "disk type|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": 1, \"disk_type\": \"nvme\"}]}|"
                        + "'nvme' is not one of ['hdd', 'ssd']",
                "root flag type|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": 1, \"is_root_volume\":"
                        + " \"yes\"}]}|'yes' is not of type 'boolean'",
                "unknown disk key|{\"logical_disks\": [{\"raid_level\": \"1\", \"size_gb\": 1, \"speed\": 3}]}|"
                        + "Additional properties are not allowed ('speed' was unexpected)",
            })
    void refusesWithJsonschemasMessage(String why, String config, String message) {
        Object parsed = config.startsWith("[") ? new JsonArray(config) : new JsonObject(config);
        AnvilException e = assertThrows(AnvilException.class, () -> RaidConfig.validate(parsed), why);
        assertEquals(400, e.status());
        assertEquals("RAID config validation error: " + message, e.getMessage());
    }

    @ParameterizedTest(name = "accepts {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "MAX and JBOD|{\"logical_disks\": [{\"raid_level\": \"JBOD\", \"size_gb\": \"MAX\"}]}",
                "every optional key|{\"logical_disks\": [{\"raid_level\": \"1+0\", \"size_gb\": 10, \"volume_name\":"
                        + " \"v\", \"is_root_volume\": true, \"share_physical_disks\": false, \"disk_type\": \"ssd\","
                        + " \"interface_type\": \"sas\", \"number_of_physical_disks\": 4, \"controller\": \"c0\","
                        + " \"physical_disks\": [\"d1\", \"d2\"]}]}",
            })
    void acceptsValidConfigurations(String why, String config) {
        RaidConfig.validate(new JsonObject(config));
    }

    @ParameterizedTest(name = "capabilities {0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {"''|raid_level:5", "boot_mode:uefi|boot_mode:uefi,raid_level:5", "raid_level:1|raid_level:5"})
    void appliedConfigurationUpdatesTheRootVolumesProperties(String caps, String expected) {
        JsonObject node = new JsonObject().put("properties", new JsonObject().put("capabilities", caps));
        JsonObject applied = new JsonObject()
                .put(
                        "logical_disks",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("raid_level", "5")
                                        .put("size_gb", 200)
                                        .put("is_root_volume", true)));
        Map<String, Object> cols = RaidConfig.applied(node, applied, "2026-01-01 00:00:00");
        JsonObject props = (JsonObject) cols.get("properties");
        assertEquals(expected, props.getString("capabilities"));
        assertEquals(200, props.getInteger("local_gb"));
        assertEquals("2026-01-01 00:00:00", ((JsonObject) cols.get("raid_config")).getString("last_updated"));
    }
}
