package io.anvil.sim.agent;

import java.time.Instant;

/**
 * The root disk of a simulated machine. It belongs to the machine, not to the ramdisk: it keeps what was written
 * across reboots and power cycles until a cleaning step erases it. Thread-safe: tests read it while the agent runs.
 *
 * @param device the device the agent writes to, e.g. {@code /dev/sda}
 * @param sizeBytes its size
 */
public final class SimulatedDisk {
    /**
     * What the disk holds.
     *
     * @param imageId {@code image_info.id}
     * @param url where it was downloaded from
     * @param sizeBytes bytes written
     * @param hashAlgorithm the algorithm the agent verified with (IPA's names: md5, sha256, …)
     * @param digest the hex digest of what was written
     * @param configdrive whether a config drive was written beside it
     * @param rootUuid the disk identifier {@code get_partition_uuids} reports ({@code root uuid})
     * @param writtenAt when the write finished
     */
    public record Contents(
            String imageId,
            String url,
            long sizeBytes,
            String hashAlgorithm,
            String digest,
            boolean configdrive,
            String rootUuid,
            Instant writtenAt) {}

    private final String device;
    private final long sizeBytes;
    private volatile Contents contents;
    private volatile int erasures;
    private volatile int metadataErasures;

    SimulatedDisk(String device, long sizeBytes) {
        this.device = device;
        this.sizeBytes = sizeBytes;
    }

    public String device() {
        return device;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** What was last written, or null for a blank (new or erased) disk. */
    public Contents contents() {
        return contents;
    }

    /** The image id on the disk, or null. */
    public String imageId() {
        Contents c = contents;
        return c == null ? null : c.imageId();
    }

    /** Full erasures ({@code erase_devices}, {@code erase_devices_express}). */
    public int erasures() {
        return erasures;
    }

    /** Metadata erasures ({@code erase_devices_metadata}): the partition table is gone, so is the image. */
    public int metadataErasures() {
        return metadataErasures;
    }

    void write(Contents c) {
        contents = c;
    }

    synchronized void erase(boolean metadataOnly) {
        contents = null;
        if (metadataOnly) {
            metadataErasures++;
        } else {
            erasures++;
        }
    }

    @Override
    public String toString() {
        Contents c = contents;
        return device + (c == null ? " (blank)" : " image " + c.imageId() + " " + c.hashAlgorithm() + ":" + c.digest());
    }
}
