package io.anvil.sim.redfish;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.Inventory;

/**
 * The hardware of simulated machine {@code index}, the same values its simulated agent reports
 * ({@link Inventory}: CPUs, memory, disks; {@link AgentFleet#macFor}: the NIC's MAC), so a node inspected over
 * Redfish and over the agent agrees.
 *
 * <ul>
 *   <li>CPUs: {@link Inventory#cpuCount} logical CPUs (8, 16, 32) on 1 socket below 16, else 2; each Processor's
 *       {@code TotalThreads} is its share (sushy's {@code processors.summary.count} is their sum), two threads a core;
 *   <li>memory: {@link Inventory#memoryMb} as 16 GiB DIMMs ({@code MemorySummary.TotalSystemMemoryGiB});
 *   <li>storage: one controller with drive 0, an SSD of {@link Inventory#rootDiskBytes} (the agent's {@code /dev/sda})
 *       and drive 1, a 1 TiB HDD ({@code /dev/sdb});
 *   <li>one NIC with MAC {@link AgentFleet#macFor}(index).
 * </ul>
 */
public final class Hardware {
    static final long GIB = 1L << 30;
    static final long DIMM_MIB = 16384;
    static final long HDD_BYTES = 1024L * GIB;

    private Hardware() {}

    public static int logicalCpus(int index) {
        return Inventory.cpuCount(index);
    }

    public static int sockets(int index) {
        return logicalCpus(index) >= 16 ? 2 : 1;
    }

    public static long memoryMib(int index) {
        return Inventory.memoryMb(index);
    }

    public static int dimms(int index) {
        return (int) (memoryMib(index) / DIMM_MIB);
    }

    /** Drive {@code n} (0: the SSD, 1: the HDD) in bytes. */
    public static long driveBytes(int index, int n) {
        return n == 0 ? Inventory.rootDiskBytes(index) : HDD_BYTES;
    }

    public static String mac(int index) {
        return AgentFleet.macFor(index);
    }

    /** The system's UUID: a fixed prefix, then the index (readable in logs, unique in a fleet). */
    public static String systemUuid(int index) {
        return String.format("52540000-0000-4000-8000-%012x", index);
    }

    public static String serial(int index) {
        return String.format("SIM%08d", index);
    }
}
