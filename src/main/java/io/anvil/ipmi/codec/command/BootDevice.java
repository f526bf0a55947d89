package io.anvil.ipmi.codec.command;

import java.util.Optional;

/** Boot device selector, bits 5:2 of boot flags data byte 2 (IPMI v2.0 table 28-14, parameter 5). */
public enum BootDevice {
    NO_OVERRIDE(0x0),
    PXE(0x1),
    DISK(0x2),
    DISK_SAFE_MODE(0x3),
    DIAGNOSTIC_PARTITION(0x4),
    CDROM(0x5),
    BIOS_SETUP(0x6),
    REMOTE_FLOPPY(0x7),
    REMOTE_CDROM(0x8),
    REMOTE_PRIMARY_MEDIA(0x9),
    REMOTE_DISK(0xB),
    FLOPPY(0xF);

    private final int selector;

    BootDevice(int selector) {
        this.selector = selector;
    }

    public int selector() {
        return selector;
    }

    public static Optional<BootDevice> bySelector(int selector) {
        for (BootDevice d : values()) {
            if (d.selector == selector) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
