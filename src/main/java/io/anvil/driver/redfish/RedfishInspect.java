package io.anvil.driver.redfish;

import io.anvil.driver.DriverTask;
import io.anvil.driver.InspectInterface;
import io.anvil.driver.StepOutcome;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's redfish inspect interface ({@code ironic/drivers/modules/redfish/inspect.py}), out-of-band, no agent: cpus
 * and cpu_arch from the processors, memory_mb from MemorySummary, local_gb from the largest drive (less 1 GiB, as
 * Ironic), boot_mode as a capability, and a port for every EthernetInterface MAC not yet known.
 */
public final class RedfishInspect implements InspectInterface {
    private static final Logger LOG = LoggerFactory.getLogger(RedfishInspect.class);
    private static final Map<String, String> ARCH = Map.of(
            "x86",
            "i686",
            "x86-64",
            "x86_64",
            "IA-64",
            "ia64",
            "ARM-A32",
            "arm",
            "ARM-A64",
            "aarch64",
            "MIPS32",
            "mips",
            "MIPS64",
            "mips64",
            "PowerISA",
            "ppc64le");

    private final RedfishNodes nodes;

    public RedfishInspect(RedfishNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public void validate(DriverTask task) {
        nodes.target(task);
    }

    @Override
    public Future<StepOutcome> inspect(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        RedfishClient c = nodes.client();
        JsonObject props =
                task.node().getJsonObject("properties", new JsonObject()).copy();
        List<String> macs = new ArrayList<>();
        return c.system(t)
                .compose(r -> {
                    JsonObject sys = r.body();
                    JsonObject cpu = sys.getJsonObject("ProcessorSummary", new JsonObject());
                    if (cpu.getValue("Count") instanceof Number n) {
                        props.put("cpus", n.intValue());
                    }
                    JsonObject mem = sys.getJsonObject("MemorySummary", new JsonObject());
                    if (mem.getValue("TotalSystemMemoryGiB") instanceof Number gib) {
                        props.put("memory_mb", Math.round(gib.doubleValue() * 1024));
                    }
                    String mode = sys.getJsonObject("Boot", new JsonObject()).getString("BootSourceOverrideMode");
                    if (mode != null) {
                        props.put(
                                "capabilities",
                                capabilities(props.getValue("capabilities"), "UEFI".equals(mode) ? "uefi" : "bios"));
                    }
                    return Future.all(arch(t, sys, props), localGb(t, sys, props), nics(t, sys, macs));
                })
                .compose(v -> {
                    for (String k : List.of("cpus", "cpu_arch", "memory_mb", "local_gb")) {
                        if (!props.containsKey(k)) {
                            return Future.failedFuture(new IllegalStateException("Redfish inspection of node "
                                    + task.uuid() + " found no " + k + " on BMC " + t.bmc() + "."));
                        }
                    }
                    return task.save(Map.of("properties", props));
                })
                .compose(v -> macs.isEmpty() ? Future.succeededFuture(List.<String>of()) : task.createPorts(macs, true))
                .map(created -> {
                    LOG.info(
                            "Redfish inspection of node {}: properties {}, new ports {}",
                            task.uuid(),
                            props.encode(),
                            created);
                    return StepOutcome.DONE;
                });
    }

    private static String capabilities(Object existing, String mode) {
        List<String> parts = new ArrayList<>();
        if (existing instanceof String s && !s.isBlank()) {
            for (String p : s.split(",")) {
                if (!p.startsWith("boot_mode:")) {
                    parts.add(p);
                }
            }
        }
        parts.add("boot_mode:" + mode);
        return String.join(",", parts);
    }

    private Future<Void> arch(RedfishTarget t, JsonObject sys, JsonObject props) {
        String procs = RedfishClient.odataId(sys.getValue("Processors"));
        if (procs == null) {
            return Future.succeededFuture();
        }
        return nodes.client().getJson(t, procs).compose(coll -> {
            JsonArray m = coll.getJsonArray("Members", new JsonArray());
            if (m.isEmpty()) {
                return Future.succeededFuture();
            }
            return nodes.client()
                    .getJson(t, RedfishClient.odataId(m.getValue(0)))
                    .map(p -> {
                        String set = p.getString("InstructionSet", p.getString("ProcessorArchitecture"));
                        if (set != null) {
                            props.put("cpu_arch", ARCH.getOrDefault(set, set.toLowerCase(Locale.ROOT)));
                        }
                        if (!props.containsKey("cpus") && p.getValue("TotalThreads") instanceof Number n) {
                            props.put("cpus", n.intValue() * m.size());
                        }
                        return null;
                    });
        });
    }

    /** The largest drive of SimpleStorage or Storage, in GiB less one (Ironic keeps 1 GiB for partitioning). */
    private Future<Void> localGb(RedfishTarget t, JsonObject sys, JsonObject props) {
        List<Long> sizes = new ArrayList<>();
        List<Future<Void>> reads = new ArrayList<>();
        String simple = RedfishClient.odataId(sys.getValue("SimpleStorage"));
        String storage = RedfishClient.odataId(sys.getValue("Storage"));
        RedfishClient c = nodes.client();
        if (storage != null) {
            reads.add(c.getJson(t, storage).compose(coll -> {
                List<Future<Void>> each = new ArrayList<>();
                for (Object m : coll.getJsonArray("Members", new JsonArray())) {
                    each.add(c.getJson(t, RedfishClient.odataId(m)).compose(s -> {
                        List<Future<Void>> drives = new ArrayList<>();
                        for (Object d : s.getJsonArray("Drives", new JsonArray())) {
                            drives.add(c.getJson(t, RedfishClient.odataId(d)).map(dr -> {
                                if (dr.getValue("CapacityBytes") instanceof Number n) {
                                    synchronized (sizes) {
                                        sizes.add(n.longValue());
                                    }
                                }
                                return null;
                            }));
                        }
                        return Future.all(drives).mapEmpty();
                    }));
                }
                return Future.all(each).mapEmpty();
            }));
        } else if (simple != null) {
            reads.add(c.getJson(t, simple).compose(coll -> {
                List<Future<Void>> each = new ArrayList<>();
                for (Object m : coll.getJsonArray("Members", new JsonArray())) {
                    each.add(c.getJson(t, RedfishClient.odataId(m)).map(s -> {
                        for (Object d : s.getJsonArray("Devices", new JsonArray())) {
                            if (d instanceof JsonObject dev && dev.getValue("CapacityBytes") instanceof Number n) {
                                synchronized (sizes) {
                                    sizes.add(n.longValue());
                                }
                            }
                        }
                        return null;
                    }));
                }
                return Future.all(each).mapEmpty();
            }));
        }
        return Future.all(reads).map(v -> {
            long max = sizes.stream().mapToLong(Long::longValue).max().orElse(0);
            if (max > 0) {
                props.put("local_gb", Math.max(0, max / (1024L * 1024 * 1024) - 1));
            }
            return null;
        });
    }

    private Future<Void> nics(RedfishTarget t, JsonObject sys, List<String> macs) {
        String eth = RedfishClient.odataId(sys.getValue("EthernetInterfaces"));
        if (eth == null) {
            return Future.succeededFuture();
        }
        RedfishClient c = nodes.client();
        return c.getJson(t, eth).compose(coll -> {
            List<Future<JsonObject>> each = new ArrayList<>();
            for (Object m : coll.getJsonArray("Members", new JsonArray())) {
                each.add(c.getJson(t, RedfishClient.odataId(m)));
            }
            return Future.all(each).map(all -> {
                for (int i = 0; i < all.size(); i++) {
                    JsonObject nic = all.resultAt(i);
                    String mac = nic.getString("MACAddress", nic.getString("PermanentMACAddress"));
                    String state = nic.getJsonObject("Status", new JsonObject()).getString("State", "Enabled");
                    if (mac != null && !"Disabled".equals(state) && !"Absent".equals(state)) {
                        macs.add(mac.toLowerCase(Locale.ROOT));
                    }
                }
                return null;
            });
        });
    }
}
