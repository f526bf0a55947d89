package io.anvil.ipmi.codec.command;

/** System boot option parameter selectors used by Anvil (IPMI v2.0 table 28-14). */
public final class BootParameter {

    /** Data: 0 set complete, 1 set in progress, 2 commit write. Always leave it at "set complete". */
    public static final int SET_IN_PROGRESS = 0;
    /** Boot-flag valid-bit clearing: b4 watchdog, b3 PEF, b2 chassis control, b1 reset, b0 power button. */
    public static final int VALID_BIT_CLEARING = 3;
    /** Boot info acknowledge: write mask, then data (b0 BIOS/POST, b1 OS loader, b2 OS/service partition, b3 SMS, b4 OEM). */
    public static final int BOOT_INFO_ACKNOWLEDGE = 4;
    /** {@link BootFlags}. */
    public static final int BOOT_FLAGS = 5;

    public static final int SET_COMPLETE = 0;
    public static final int SET_IN_PROGRESS_VALUE = 1;
    public static final int COMMIT_WRITE = 2;

    private BootParameter() {}
}
