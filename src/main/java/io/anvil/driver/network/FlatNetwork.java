package io.anvil.driver.network;

import io.anvil.driver.DriverTask;
import io.anvil.driver.NetworkInterface;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ironic's {@code flat} network interface without Neutron: a VIF is recorded in a free port's or portgroup's
 * {@code internal_info.tenant_vif_port_id}, chosen as Ironic's VIFPortIDMixin and {@code get_free_port_like_object}
 * (ironic/drivers/modules/network/common.py) choose it when no physical network restricts the VIF: portgroups
 * before ports, PXE-enabled ports before the others, and otherwise the order of the node's ports (by creation).
 * A portgroup with a port that already carries a VIF is not used as a whole; its free ports are candidates instead,
 * and an empty portgroup is never used.
 */
public final class FlatNetwork implements NetworkInterface {
    /** Keys a Smart NIC's local_link_connection may have (Ironic's LOCAL_LINK_SMART_NIC_SCHEMA). */
    private static final Set<String> LOCAL_LINK_KEYS =
            Set.of("port_id", "switch_id", "hostname", "switch_info", "network_type");

    @Override
    public Future<List<JsonObject>> vifList(DriverTask task) {
        return task.ports().compose(ports -> task.portgroups().map(groups -> {
            List<JsonObject> vifs = new ArrayList<>();
            for (List<JsonObject> list : List.of(ports, groups)) {
                for (JsonObject p : list) {
                    String vif = vifOf(p);
                    if (vif != null) {
                        vifs.add(new JsonObject().put("id", vif));
                    }
                }
            }
            return vifs;
        }));
    }

    @Override
    public Future<Void> vifAttach(DriverTask task, JsonObject vifInfo) {
        String vif = vifInfo.getString("id");
        return task.ports().compose(ports -> task.portgroups().compose(groups -> {
            JsonObject chosen = freePortLike(vif, ports, groups, vifInfo);
            boolean group = groups.contains(chosen);
            JsonObject info = internalInfo(chosen).put(TENANT_VIF_KEY, vif);
            return task.savePortLike(chosen.getString("uuid"), group, info, extra(chosen));
        }));
    }

    @Override
    public Future<Void> vifDetach(DriverTask task, String vifId) {
        return task.ports().compose(ports -> task.portgroups().compose(groups -> {
            List<JsonObject> all = new ArrayList<>(groups);
            all.addAll(ports);
            for (JsonObject p : all) {
                if (vifId.equals(vifOf(p))) {
                    JsonObject info = internalInfo(p);
                    info.remove(TENANT_VIF_KEY);
                    JsonObject extra = extra(p);
                    extra.remove("vif_port_id");
                    return task.savePortLike(p.getString("uuid"), groups.contains(p), info, extra);
                }
            }
            return Future.failedFuture(AnvilException.invalid("Unable to detach VIF " + vifId + " from node "
                    + task.uuid() + " because it is not attached to it."));
        }));
    }

    /** Ironic's get_free_port_like_object with no physical networks to honour; throws its two errors. */
    static JsonObject freePortLike(String vif, List<JsonObject> ports, List<JsonObject> groups, JsonObject vifInfo) {
        String portUuid = vifInfo.getValue("port_uuid") instanceof String s ? s : null;
        String groupUuid = portUuid == null && vifInfo.getValue("portgroup_uuid") instanceof String s ? s : null;
        List<JsonObject> free = new ArrayList<>();
        Map<String, List<JsonObject>> freeByGroup = new LinkedHashMap<>();
        Set<String> unusableGroups = new HashSet<>();
        for (JsonObject p : ports) {
            if ((portUuid != null && !portUuid.equals(p.getString("uuid"))) || !usable(p)) {
                continue;
            }
            String group = p.getString("portgroup_uuid");
            if (attached(p, vif, "Port")) {
                unusableGroups.add(String.valueOf(group));
                continue;
            }
            if (group == null && groupUuid == null) {
                free.add(p);
            } else {
                freeByGroup
                        .computeIfAbsent(String.valueOf(group), k -> new ArrayList<>())
                        .add(p);
            }
        }
        if (portUuid == null) {
            for (JsonObject g : groups) {
                String uuid = g.getString("uuid");
                if ((groupUuid != null && !groupUuid.equals(uuid)) || attached(g, vif, "Portgroup")) {
                    continue;
                }
                if (unusableGroups.contains(uuid)) {
                    if (groupUuid == null) {
                        free.addAll(freeByGroup.getOrDefault(uuid, List.of()));
                    }
                } else if (!freeByGroup.getOrDefault(uuid, List.of()).isEmpty()) {
                    free.add(g);
                }
            }
        }
        if (free.isEmpty()) {
            throw AnvilException.invalid("Unable to attach VIF " + vif + ", not enough free physical ports.");
        }
        // stable: equal keys keep the candidates' order, as Python's sorted(reverse=True) does
        Comparator<JsonObject> preference = Comparator.comparing((JsonObject p) -> groups.contains(p))
                .thenComparing(p -> groups.contains(p) || !Boolean.FALSE.equals(p.getValue("pxe_enabled")))
                .reversed();
        List<JsonObject> sorted = new ArrayList<>(free);
        sorted.sort(preference);
        return sorted.get(0);
    }

    /**
     * Ironic's _vif_attached: true when another VIF is attached; VifAlreadyAttached (409) when this one is.
     */
    private static boolean attached(JsonObject portLike, String vif, String type) {
        String current = vifOf(portLike);
        if (vif.equals(current)) {
            throw AnvilException.conflict("Unable to attach VIF because VIF " + vif + " is already attached to Ironic "
                    + type + " " + portLike.getString("uuid"));
        }
        return current != null;
    }

    /** Ironic's neutron.validate_port_info for a non-Neutron interface: a Smart NIC needs its link to be one. */
    private static boolean usable(JsonObject port) {
        JsonObject extra = extra(port);
        if (extra.getValue("client-id") != null) {
            return true;
        }
        JsonObject llc = port.getValue("local_link_connection") instanceof JsonObject o ? o : new JsonObject();
        boolean smartNicLink = llc.getValue("port_id") instanceof String
                && llc.getValue("hostname") instanceof String
                && LOCAL_LINK_KEYS.containsAll(llc.fieldNames());
        boolean smartNic = Boolean.TRUE.equals(port.getValue("is_smartnic"));
        return smartNic == smartNicLink;
    }

    static String vifOf(JsonObject portLike) {
        return internalInfo(portLike).getValue(TENANT_VIF_KEY) instanceof String s ? s : null;
    }

    private static JsonObject internalInfo(JsonObject portLike) {
        return portLike.getValue("internal_info") instanceof JsonObject o ? o.copy() : new JsonObject();
    }

    private static JsonObject extra(JsonObject portLike) {
        return portLike.getValue("extra") instanceof JsonObject o ? o.copy() : new JsonObject();
    }
}
