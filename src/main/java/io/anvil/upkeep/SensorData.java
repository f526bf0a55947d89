package io.anvil.upkeep;

import io.anvil.conductor.Provisioning;
import io.anvil.conductor.Task;
import io.anvil.errors.UnsupportedDriverExtension;
import io.anvil.fsm.ProvisionState;
import io.anvil.metrics.SensorGauges;
import io.anvil.periodic.NodeFilter;
import io.anvil.periodic.NodeRef;
import io.anvil.periodic.NodeWalker;
import io.anvil.periodic.Periodic;
import io.anvil.periodic.PeriodicContext;
import io.anvil.periodic.Visit;
import io.anvil.periodic.Walk;
import io.anvil.periodic.WalkResult;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code _send_sensor_data} periodic ({@code ironic/conductor/manager.py}, options {@code [sensor_data]}):
 * each run reads the sensors of the nodes this conductor owns through their management interface's
 * {@code get_sensors_data} (under a shared, try-once lock; nodes in maintenance skipped; only active nodes unless
 * {@code enable_for_undeployed_nodes}), at most {@code workers} at once. Where Ironic sends each node's data as a
 * {@code hardware.<driver>.metrics} notification for ceilometer or ironic-prometheus-exporter to turn into series,
 * Anvil exports the readings as gauges on its own {@code GET /metrics} (docs/operations.md#sensor-data).
 *
 * <p>Series stay bounded: a node's series are replaced by its latest reading, dropped when a read fails, and
 * dropped for every node a run no longer lists (deleted, in maintenance, undeployed, taken by another conductor).
 * A node skipped because it was locked keeps its last values until a run reads it again.
 */
public final class SensorData {
    private static final Logger LOG = LoggerFactory.getLogger(SensorData.class);

    /** The settings, as the {@code sensor_data.*} keys of Ironic's names. */
    public record Settings(
            int workers, List<String> dataTypes, boolean enableForUndeployedNodes, boolean enableForNodes) {
        public Settings {
            dataTypes = dataTypes.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
        }

        /** Ironic's _filter_out_unsupported_types: "ALL" keeps every type. */
        boolean wanted(String type) {
            return dataTypes.contains("all") || dataTypes.contains(type.toLowerCase(Locale.ROOT));
        }
    }

    private final Settings settings;
    private final SensorGauges gauges;

    public SensorData(Settings settings, SensorGauges gauges) {
        this.settings = settings;
        this.gauges = gauges;
    }

    public SensorGauges gauges() {
        return gauges;
    }

    @Periodic(spacing = "sensor_data.interval", enabled = "sensor_data.send_sensor_data", name = "send_sensor_data")
    public Future<WalkResult> sendSensorData(PeriodicContext ctx) {
        return sendSensorData(ctx.nodes(Task.class));
    }

    /** One run: read every listed node (at most {@code workers} at once), then drop the series of nodes not listed. */
    public Future<WalkResult> sendSensorData(NodeWalker<Task> nodes) {
        if (!settings.enableForNodes()) {
            gauges.retainOnly(Set.of());
            return Future.succeededFuture(new WalkResult(0, 0, 0, 0, 0, 0, false));
        }
        NodeFilter filter = NodeFilter.all().maintenance(false);
        if (!settings.enableForUndeployedNodes()) {
            filter = filter.provisionState(ProvisionState.ACTIVE);
        }
        return nodes.owned(filter).compose(listed -> {
            Set<String> uuids = listed.stream().map(NodeRef::uuid).collect(Collectors.toCollection(HashSet::new));
            gauges.retainOnly(uuids);
            Walk walk = Walk.shared("getting sensors data").concurrency(Math.max(1, settings.workers()));
            return nodes.forEach(listed, walk, this::read);
        });
    }

    private Future<Visit> read(Task task, NodeRef ref) {
        if (Boolean.TRUE.equals(task.node().getBoolean("maintenance"))) {
            gauges.forget(task.uuid());
            return Future.succeededFuture(Visit.CONTINUE);
        }
        return Futures.attempt(() -> task.driver().management().getSensorsData(task))
                .transform(ar -> {
                    if (ar.succeeded()) {
                        gauges.replace(task.uuid(), task.node().getString("name"), readings(ar.result()));
                    } else if (ar.cause() instanceof UnsupportedDriverExtension) {
                        // Ironic logs this at debug level: mixed fleets would flood the log otherwise
                        LOG.debug("get_sensors_data is not implemented for the driver of node {}", task.uuid());
                    } else {
                        gauges.forget(task.uuid());
                        LOG.warn(
                                "Failed to get sensor data for node {}. Error: {}",
                                task.uuid(),
                                Provisioning.message(ar.cause()));
                    }
                    return Future.succeededFuture(Visit.CONTINUE);
                });
    }

    /**
     * The gauges of one node's sensor data: temperatures in °C, fans in RPM (or percent), power in watts (each supply's
     * output, the chassis' consumption), drive health as a number (0 OK, 1 Warning, 2 Critical). Types outside
     * {@code sensor_data.data_types}, readings that are absent and unknown units are left out.
     */
    List<SensorGauges.Reading> readings(JsonObject data) {
        List<SensorGauges.Reading> out = new ArrayList<>();
        for (Map.Entry<String, Object> type : data) {
            if (!settings.wanted(type.getKey()) || !(type.getValue() instanceof JsonObject sensors)) {
                continue;
            }
            for (Map.Entry<String, Object> e : sensors) {
                if (e.getValue() instanceof JsonObject s) {
                    sensorReadings(type.getKey(), e.getKey(), s, out);
                }
            }
        }
        return out;
    }

    private static void sensorReadings(String type, String id, JsonObject s, List<SensorGauges.Reading> out) {
        String name = s.getString("name", s.getString("identity", id));
        switch (type) {
            case "Temperature" ->
                add(
                        out,
                        "anvil.sensor.temperature.celsius",
                        "Temperature sensor readings",
                        id,
                        name,
                        s,
                        "reading_celsius");
            case "Fan" -> {
                String units = s.getString("reading_units", "RPM");
                if ("RPM".equalsIgnoreCase(units)) {
                    add(out, "anvil.sensor.fan.rpm", "Fan speed readings", id, name, s, "reading");
                } else if ("Percent".equalsIgnoreCase(units)) {
                    add(
                            out,
                            "anvil.sensor.fan.percent",
                            "Fan speed readings in percent of the maximum",
                            id,
                            name,
                            s,
                            "reading");
                }
            }
            case "Power" -> {
                for (String field : List.of("last_power_output_watts", "power_consumed_watts")) {
                    add(
                            out,
                            "anvil.sensor.power.watts",
                            "Power readings: supply output, chassis consumption",
                            id,
                            name,
                            s,
                            field);
                }
            }
            case "Drive" -> {
                Double health = health(s.getString("health"));
                if (health != null) {
                    out.add(new SensorGauges.Reading(
                            "anvil.sensor.drive.health",
                            "Drive health: 0 OK, 1 Warning, 2 Critical",
                            id,
                            name,
                            health));
                }
            }
            default -> {
                // other types (Ironic's "Extra": manufacturer, model) have no reading
            }
        }
    }

    private static void add(
            List<SensorGauges.Reading> out,
            String metric,
            String help,
            String id,
            String name,
            JsonObject s,
            String field) {
        if (s.getValue(field) instanceof Number n) {
            out.add(new SensorGauges.Reading(metric, help, id, name == null ? "" : name, n.doubleValue()));
        }
    }

    /** Redfish's Status.Health as a number (DMTF Resource.Health: OK, Warning, Critical). */
    static Double health(String health) {
        if (health == null) {
            return null;
        }
        return switch (health) {
            case "OK" -> 0.0;
            case "Warning" -> 1.0;
            case "Critical" -> 2.0;
            default -> null;
        };
    }
}
