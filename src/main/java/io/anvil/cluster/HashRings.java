package io.anvil.cluster;

import io.anvil.cluster.ConductorRegistry.Conductor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the cluster as the conductors table showed it: one {@link HashRing} per
 * {@code "<conductor_group>:<hardware_type>"} (Ironic's ring keys) over the alive conductors serving that
 * hardware type in that group. Every conductor and every API verticle building a snapshot from the same table
 * rows gets the same owners. Groups are case-insensitive (Ironic's conductor_group).
 */
public final class HashRings {
    private final List<Conductor> conductors;
    private final Map<String, HashRing> rings;
    private final int partitions;

    private HashRings(List<Conductor> conductors, Map<String, HashRing> rings, int partitions) {
        this.conductors = conductors;
        this.rings = rings;
        this.partitions = partitions;
    }

    /** An empty snapshot (no conductor known yet): nobody owns anything. */
    public static HashRings empty() {
        return new HashRings(List.of(), Map.of(), HashRing.DEFAULT_PARTITIONS);
    }

    /** Rings over the alive conductors of {@code conductors}, {@code partitions} points per host. */
    public static HashRings build(List<Conductor> conductors, int partitions) {
        Map<String, Set<String>> hostsByKey = new TreeMap<>();
        for (Conductor c : conductors) {
            if (!c.alive()) {
                continue;
            }
            for (String hardwareType : c.drivers()) {
                hostsByKey
                        .computeIfAbsent(key(c.group(), hardwareType), k -> new TreeSet<>())
                        .add(c.hostname());
            }
        }
        Map<String, HashRing> rings = new HashMap<>();
        hostsByKey.forEach((k, hosts) -> rings.put(k, HashRing.of(hosts, partitions)));
        return new HashRings(List.copyOf(conductors), Collections.unmodifiableMap(rings), partitions);
    }

    /** Ironic's ring key. */
    public static String key(String group, String hardwareType) {
        return normalizeGroup(group) + ":" + hardwareType;
    }

    public static String normalizeGroup(String group) {
        return group == null ? "" : group.toLowerCase(Locale.ROOT);
    }

    /** The alive conductor owning the node, or null when no alive conductor of its group serves its driver. */
    public String owner(String nodeUuid, String driver, String group) {
        HashRing ring = rings.get(key(group, driver));
        return ring == null ? null : ring.owner(nodeUuid);
    }

    public HashRing ring(String group, String hardwareType) {
        return rings.get(key(group, hardwareType));
    }

    public Map<String, HashRing> rings() {
        return rings;
    }

    /** The conductors table as read (alive and not). */
    public List<Conductor> conductors() {
        return conductors;
    }

    /** Host names of the alive conductors. */
    public Set<String> aliveHosts() {
        Set<String> out = new TreeSet<>();
        conductors.stream().filter(Conductor::alive).forEach(c -> out.add(c.hostname()));
        return out;
    }

    /** Host names of registered conductors that are not alive (offline or silent longer than heartbeat_timeout). */
    public List<String> offlineHosts() {
        List<String> out = new ArrayList<>();
        conductors.stream().filter(c -> !c.alive()).forEach(c -> out.add(c.hostname()));
        return out;
    }

    public boolean isAlive(String hostname) {
        return hostname != null
                && conductors.stream().anyMatch(c -> c.alive() && c.hostname().equalsIgnoreCase(hostname));
    }

    public int partitions() {
        return partitions;
    }

    /** Same alive membership (hosts, groups, hardware types), hence the same owners. */
    public boolean sameMembership(HashRings other) {
        return other != null && other.partitions == partitions && membership().equals(other.membership());
    }

    private Map<String, List<String>> membership() {
        Map<String, List<String>> m = new TreeMap<>();
        rings.forEach((k, r) -> m.put(k, r.hosts()));
        return m;
    }

    @Override
    public String toString() {
        return "HashRings" + membership();
    }
}
