package io.anvil.sim.agent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The hardware a simulated agent reports, in ironic-python-agent's inventory shape (hardware.py
 * list_hardware_info: interfaces, cpu, disks, memory, bmc_address, bmc_v6address, system_vendor, boot, hostname).
 * Every value is a function of the agent's index, so tests can assert what inspection finds:
 *
 * <ul>
 *   <li>cpu: {@code 8 << (index % 3)} x86_64 CPUs (8, 16, 32);
 *   <li>memory: {@code physical_mb} = 16384 × (1 + index % 4);
 *   <li>disks: {@code /dev/sda}, an SSD of 100 + 10 × (index % 10) GiB (the root disk: IPA picks the smallest disk of
 *       at least 4 GiB), and {@code /dev/sdb}, a 1 TiB spinning disk;
 *   <li>interfaces: {@code eth<n>} for the agent's n-th MAC, address {@code 10.<n+1>.<index/256>.<index%256>}.
 * </ul>
 */
public final class Inventory {
    static final long GIB = 1L << 30;
    static final String ARCH = "x86_64";

    private Inventory() {}

    public static int cpuCount(int index) {
        return 8 << (index % 3);
    }

    public static long memoryMb(int index) {
        return 16384L * (1 + index % 4);
    }

    public static long rootDiskBytes(int index) {
        return (100L + 10L * (index % 10)) * GIB;
    }

    /** What Anvil's inspection should set as {@code local_gb} (root disk in GiB, one less for partitioning). */
    public static long localGb(int index) {
        return rootDiskBytes(index) / GIB - 1;
    }

    /**
     * @param index the agent's index
     * @param macs its NICs' MACs, first one first
     * @param pxeMac the MAC the machine booted from (BOOTIF), or null
     * @param bmcAddress the BMC's IP address, or null
     * @param uefi whether the machine booted in UEFI mode
     */
    public static JsonObject of(int index, List<String> macs, String pxeMac, String bmcAddress, boolean uefi) {
        JsonArray interfaces = new JsonArray();
        for (int n = 0; n < macs.size(); n++) {
            interfaces.add(new JsonObject()
                    .put("name", "eth" + n)
                    .put("mac_address", macs.get(n))
                    .put("ipv4_address", "10." + (n + 1) + "." + ((index >> 8) & 0xff) + "." + (index & 0xff))
                    .putNull("ipv6_address")
                    .put("has_carrier", true)
                    .putNull("lldp")
                    .put("vendor", "0x8086")
                    .put("product", "0x1572")
                    .putNull("client_id")
                    .putNull("biosdevname")
                    .put("speed_mbps", 10000)
                    .put("pci_address", String.format("0000:%02x:00.0", n + 1))
                    .put("driver", "i40e"));
        }
        int cpus = cpuCount(index);
        JsonObject cpu = new JsonObject()
                .put("model_name", "Anvil Simulated CPU @ 2.40GHz")
                .put("frequency", "2400.0000")
                .put("count", cpus)
                .put("architecture", ARCH)
                .put("flags", new JsonArray(List.of("fpu", "vme", "sse4_2", "avx2", "vmx", "aes")))
                .put("socket_count", cpus >= 16 ? 2 : 1);
        long physicalMb = memoryMb(index);
        JsonObject memory = new JsonObject()
                // what the kernel sees: the physical memory minus what firmware and the kernel keep
                .put("total", physicalMb * (1L << 20) - 256L * (1L << 20))
                .put("physical_mb", physicalMb);
        JsonArray disks = new JsonArray()
                .add(disk(index, "/dev/sda", "SIMSSD", rootDiskBytes(index), false, 0))
                .add(disk(index, "/dev/sdb", "SIMHDD", 1024L * GIB, true, 1));
        JsonObject vendor = new JsonObject()
                .put("product_name", "Anvil Simulated Server")
                .put("serial_number", String.format("SIM%08d", index))
                .put("manufacturer", "Anvil")
                .put(
                        "firmware",
                        new JsonObject()
                                .put("vendor", "Anvil")
                                .put("version", "1.0.0")
                                .put("build_date", "01/01/2026"));
        return new JsonObject()
                .put("interfaces", interfaces)
                .put("cpu", cpu)
                .put("disks", disks)
                .put("memory", memory)
                .put("bmc_address", bmcAddress)
                .put("bmc_v6address", "::/0")
                .put("system_vendor", vendor)
                .put(
                        "boot",
                        new JsonObject()
                                .put("current_boot_mode", uefi ? "uefi" : "bios")
                                .put("pxe_interface", pxeMac))
                .put("hostname", "sim-agent-" + index);
    }

    private static JsonObject disk(int index, String name, String model, long size, boolean rotational, int slot) {
        String serial = String.format("%s%06d%d", model, index, slot);
        String wwn = String.format("0x5000c5%010x", ((long) index << 4) | slot);
        return new JsonObject()
                .put("name", name)
                .put("model", model)
                .put("size", size)
                .put("rotational", rotational)
                .put("wwn", wwn)
                .put("serial", serial)
                .put("vendor", "ATA")
                .put("wwn_with_extension", wwn)
                .putNull("wwn_vendor_extension")
                .put("hctl", slot + ":0:0:0")
                .put("by_path", "/dev/disk/by-path/pci-0000:00:17.0-ata-" + (slot + 1))
                .put("logical_sectors", 512)
                .put("physical_sectors", rotational ? 4096 : 512)
                .put("tran", "sata");
    }

    /** IPA's guess_root_disk: the smallest disk of at least 4 GiB (by size, then name). */
    static JsonObject rootDisk(JsonObject inventory) {
        JsonObject best = null;
        for (Object o : inventory.getJsonArray("disks")) {
            JsonObject d = (JsonObject) o;
            long size = d.getLong("size");
            if (size < 4 * GIB) {
                continue;
            }
            if (best == null
                    || size < best.getLong("size")
                    || (size == best.getLong("size") && d.getString("name").compareTo(best.getString("name")) < 0)) {
                best = d;
            }
        }
        return best;
    }
}
