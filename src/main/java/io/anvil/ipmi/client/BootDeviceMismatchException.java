package io.anvil.ipmi.client;

/**
 * Set System Boot Options was accepted, but reading parameter 5 back shows a different device: the BMC did
 * not store what we wrote. {@link #stored()} is what it holds now. (Persistent/EFI bits are not compared:
 * many BMCs, both simulators included, drop them — read {@link io.anvil.ipmi.codec.command.BootFlags} back.)
 */
public final class BootDeviceMismatchException extends IpmiClientException {

    private final transient io.anvil.ipmi.codec.command.BootFlags stored;

    public BootDeviceMismatchException(String bmc, String message, io.anvil.ipmi.codec.command.BootFlags stored) {
        super(bmc, message, null);
        this.stored = stored;
    }

    public io.anvil.ipmi.codec.command.BootFlags stored() {
        return stored;
    }
}
