package io.anvil.metrics;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hardware sensor readings of nodes as gauges, one series per node and sensor (docs/operations.md#sensor-data).
 * Each node's set of series is replaced as a whole by its latest reading, so a sensor that disappeared from the
 * hardware's answer, or a node no longer read (deleted, in maintenance, no longer this conductor's), loses its
 * series: the number of series stays bounded by the nodes read and their sensors. Thread-safe; the values are
 * read when scraped.
 */
public final class SensorGauges {

    /**
     * One reading: {@code metric} is the dotted gauge name ({@code anvil.sensor.temperature.celsius}), {@code sensor}
     * the sensor's id (Ironic's key, e.g. {@code 0@1U}) and {@code sensorName} its name on the BMC.
     */
    public record Reading(String metric, String help, String sensor, String sensorName, double value) {}

    private record Series(String metric, String sensor, String sensorName, String nodeName) {}

    /** A gauge's source: the value of its last reading. */
    private static final class Value {
        volatile double value;
    }

    private final AnvilMetrics metrics;
    private final Map<String, Map<Series, Value>> byNode = new ConcurrentHashMap<>();

    public SensorGauges(AnvilMetrics metrics) {
        this.metrics = metrics;
    }

    /** The node's series become exactly {@code readings}: new ones registered, gone ones removed, others updated. */
    public void replace(String node, String nodeName, Collection<Reading> readings) {
        byNode.compute(node, (uuid, old) -> {
            Map<Series, Value> now = new HashMap<>();
            for (Reading r : readings) {
                Series s = new Series(r.metric(), r.sensor(), r.sensorName(), nodeName == null ? "" : nodeName);
                Value v = old == null ? null : old.remove(s);
                if (v == null) {
                    v = now.get(s);
                }
                if (v == null) {
                    v = new Value();
                    metrics.gauge(s.metric(), r.help(), v, x -> x.value, tags(uuid, s));
                }
                v.value = r.value();
                now.put(s, v);
            }
            if (old != null) {
                old.keySet().forEach(s -> metrics.removeGauge(s.metric(), tags(uuid, s)));
            }
            return now.isEmpty() ? null : now;
        });
    }

    /** Removes every series of {@code node}. */
    public void forget(String node) {
        byNode.computeIfPresent(node, (uuid, old) -> {
            old.keySet().forEach(s -> metrics.removeGauge(s.metric(), tags(uuid, s)));
            return null;
        });
    }

    /** Removes the series of every node not in {@code nodes}. */
    public void retainOnly(Set<String> nodes) {
        for (String uuid : List.copyOf(byNode.keySet())) {
            if (!nodes.contains(uuid)) {
                forget(uuid);
            }
        }
    }

    /** The nodes that have series now. */
    public Set<String> nodes() {
        return Set.copyOf(byNode.keySet());
    }

    private static String[] tags(String node, Series s) {
        return new String[] {
            "node", node, "node_name", s.nodeName(), "sensor", s.sensor(), "sensor_name", s.sensorName()
        };
    }
}
