package io.anvil.driver.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.anvil.testsupport.Conditions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ironic's send_sensor_data periodic as Anvil's sensor gauges (docs/operations.md#sensor-data): the readings of a
 * simulated Redfish BMC's Thermal, Power and SimpleStorage resources appear on {@code GET /metrics} with the values
 * the BMC serves, per node and sensor, and a deleted node's series disappear. (Off by default: MetricsEndpointTest.)
 */
class RedfishSensorDataTest extends AbstractRedfishApiTest {
    private static final Duration T = Duration.ofSeconds(30);
    private RedfishFleet fleet;
    private HttpClient bmcHttp;

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of(
                "sensor_data.send_sensor_data", true,
                "sensor_data.interval", 0.2,
                "sensor_data.enable_for_undeployed_nodes", true);
    }

    @BeforeAll
    void fleet() {
        // plain HTTP, so that the test reads what the BMC serves with a bare client
        fleet = fleet(new RedfishFleetOptions().count(2).tls(false));
        bmcHttp = vertx.createHttpClient();
        closeAfterAll(bmcHttp::close);
    }

    /** A resource as the simulated BMC serves it (Basic auth). */
    private JsonObject bmcGet(SimulatedRedfishBmc bmc, String path) {
        RequestOptions opts = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(bmc.host())
                .setPort(bmc.port())
                .setURI(path)
                .putHeader(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes()));
        return await(calls.call(
                () -> bmcHttp.request(opts).compose(req -> req.send()).compose(resp -> resp.body()
                        .map(Buffer::toJsonObject))));
    }

    /** The value of {@code metric}'s series for {@code node} and {@code sensor} on GET /metrics, if there is one. */
    private Optional<Double> gauge(String metric, String node, String sensor) {
        String text = expect(200, HttpMethod.GET, "/metrics", null).body().toString();
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + "{")
                    && line.contains("node=\"" + node + "\"")
                    && line.contains("sensor=\"" + sensor + "\"")) {
                return Optional.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }

    private boolean anySeriesOf(String node) {
        String text = expect(200, HttpMethod.GET, "/metrics", null).body().toString();
        return text.lines().anyMatch(l -> l.startsWith("anvil_sensor_") && l.contains("node=\"" + node + "\""));
    }

    @Test
    void readingsAppearAsGaugesWithTheBmcsValuesAndGoWithTheNode() {
        SimulatedRedfishBmc bmc = fleet.bmc(1);
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        assertEquals(202, power(uuid, "power on").status());
        assertEquals("power on", awaitPowerSettled(uuid, 20_000).getString("power_state"));

        JsonObject thermal = bmcGet(bmc, "/redfish/v1/Chassis/1U/Thermal");
        JsonObject powerRes = bmcGet(bmc, "/redfish/v1/Chassis/1U/Power");
        double cpu = thermal.getJsonArray("Temperatures").getJsonObject(0).getDouble("ReadingCelsius");
        double fan = thermal.getJsonArray("Fans").getJsonObject(1).getDouble("Reading");
        double psu = powerRes.getJsonArray("PowerSupplies").getJsonObject(0).getDouble("LastPowerOutputWatts");
        double consumed = powerRes.getJsonArray("PowerControl").getJsonObject(0).getDouble("PowerConsumedWatts");

        awaitThat("the node's temperature series", () -> gauge("anvil_sensor_temperature_celsius", uuid, "0@1U")
                .isPresent());
        assertEquals(
                cpu, gauge("anvil_sensor_temperature_celsius", uuid, "0@1U").orElseThrow());
        assertEquals(fan, gauge("anvil_sensor_fan_rpm", uuid, "1@1U").orElseThrow());
        assertEquals(psu, gauge("anvil_sensor_power_watts", uuid, "0:Power@1U").orElseThrow());
        assertEquals(
                consumed,
                gauge("anvil_sensor_power_watts", uuid, "PowerControl0:Power@1U")
                        .orElseThrow());
        assertEquals(
                0.0,
                gauge("anvil_sensor_drive_health", uuid, "SIMSSD:1@" + bmc.systemId())
                        .orElseThrow(),
                "a healthy drive is 0");
        assertTrue(fan > 0, "the machine is on: its fans turn");

        // powered off, the BMC's readings change and the gauges follow them
        assertEquals(202, power(uuid, "power off").status());
        awaitPowerSettled(uuid, 20_000);
        double off = bmcGet(bmc, "/redfish/v1/Chassis/1U/Thermal")
                .getJsonArray("Fans")
                .getJsonObject(1)
                .getDouble("Reading");
        awaitThat("the fan gauge of the powered-off node", () -> gauge("anvil_sensor_fan_rpm", uuid, "1@1U")
                .equals(Optional.of(off)));

        expect(204, HttpMethod.DELETE, "/v1/nodes/" + uuid, null);
        awaitThat("no series of the deleted node", () -> !anySeriesOf(uuid));
    }

    private void awaitThat(String what, java.util.function.BooleanSupplier condition) {
        Conditions.await(vertx, what, T, Duration.ofMillis(50), condition);
    }

    @Test
    void aNodeInMaintenanceIsNotRead() {
        SimulatedRedfishBmc bmc = fleet.bmc(0);
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        awaitThat("the node's series", () -> anySeriesOf(uuid));
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "fan swap"));
        awaitThat("no series of the node in maintenance", () -> !anySeriesOf(uuid));
    }
}
