package io.anvil.upkeep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.metrics.MicrometerMetrics;
import io.anvil.metrics.SensorGauges;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sensor gauges without a conductor: which readings of Ironic's sensor data become series, and that a node's
 * series are replaced as a whole (a vanished sensor, a renamed node or a node no longer read leaves no series).
 * End to end against the Redfish simulator: driver.redfish.RedfishSensorDataTest.
 */
class SensorDataTest {
    private static final JsonObject DATA = new JsonObject()
            .put(
                    "Temperature",
                    new JsonObject()
                            .put(
                                    "0@1U",
                                    new JsonObject().put("name", "CPU1 Temp").put("reading_celsius", 47))
                            .put("1@1U", new JsonObject().put("name", "Inlet Temp")))
            .put(
                    "Fan",
                    new JsonObject()
                            .put("0@1U", new JsonObject().put("reading", 5100).put("reading_units", "RPM"))
                            .put("1@1U", new JsonObject().put("reading", 40).put("reading_units", "Percent")))
            .put(
                    "Power",
                    new JsonObject()
                            .put("0:Power@1U", new JsonObject().put("last_power_output_watts", 70))
                            .put("PowerControl0:Power@1U", new JsonObject().put("power_consumed_watts", 140)))
            .put(
                    "Drive",
                    new JsonObject()
                            .put("SSD:1@s", new JsonObject().put("health", "Warning"))
                            .put("HDD:1@s", new JsonObject().put("health", null)))
            .put("Extra", new JsonObject().put("Manufacturer", "Anvil"));

    private static SensorData sensorData(List<String> types, SensorGauges gauges) {
        return new SensorData(new SensorData.Settings(4, types, false, true), gauges);
    }

    @Test
    void eachReadingBecomesOneGaugeAndDataTypesFilter() {
        List<SensorGauges.Reading> all = sensorData(List.of("ALL"), null).readings(DATA);
        assertEquals(
                List.of(
                        "anvil.sensor.temperature.celsius 0@1U 47.0",
                        "anvil.sensor.fan.rpm 0@1U 5100.0",
                        "anvil.sensor.fan.percent 1@1U 40.0",
                        "anvil.sensor.power.watts 0:Power@1U 70.0",
                        "anvil.sensor.power.watts PowerControl0:Power@1U 140.0",
                        "anvil.sensor.drive.health SSD:1@s 1.0"),
                all.stream()
                        .map(r -> r.metric() + " " + r.sensor() + " " + r.value())
                        .toList(),
                "a temperature without a reading, a drive without health and Extra give no series");
        List<SensorGauges.Reading> some =
                sensorData(List.of("temperature", "DRIVE"), null).readings(DATA);
        assertEquals(
                List.of("anvil.sensor.temperature.celsius", "anvil.sensor.drive.health"),
                some.stream().map(SensorGauges.Reading::metric).toList(),
                "types compare case-insensitively, as Ironic's");
    }

    @Test
    void aNodesSeriesAreReplacedAsAWhole() {
        try (MicrometerMetrics metrics = new MicrometerMetrics()) {
            SensorGauges gauges = new SensorGauges(metrics);
            SensorData sensors = sensorData(List.of("ALL"), gauges);
            gauges.replace("node-a", "a", sensors.readings(DATA));
            gauges.replace("node-b", "b", sensors.readings(DATA));
            String text = metrics.scrape();
            assertTrue(
                    text.contains("anvil_sensor_temperature_celsius{node=\"node-a\",node_name=\"a\",sensor=\"0@1U\","
                            + "sensor_name=\"CPU1 Temp\"} 47.0"),
                    text);
            assertTrue(text.contains("anvil_sensor_fan_percent{node=\"node-b\""), text);

            JsonObject fewer = new JsonObject()
                    .put("Temperature", new JsonObject().put("0@1U", new JsonObject().put("reading_celsius", 52)));
            gauges.replace("node-a", "a-renamed", sensors.readings(fewer));
            text = metrics.scrape();
            assertTrue(text.contains("node=\"node-a\",node_name=\"a-renamed\",sensor=\"0@1U\""), text);
            assertFalse(text.contains("node_name=\"a\","), "the old name's series went");
            assertFalse(text.contains("anvil_sensor_fan_rpm{node=\"node-a\""), "a sensor no longer read went");

            gauges.retainOnly(Set.of("node-b"));
            text = metrics.scrape();
            assertFalse(text.contains("node=\"node-a\""), text);
            assertTrue(text.contains("node=\"node-b\""));
            gauges.forget("node-b");
            assertFalse(metrics.scrape().contains("anvil_sensor_"));
            assertEquals(Set.of(), gauges.nodes());
        }
    }
}
