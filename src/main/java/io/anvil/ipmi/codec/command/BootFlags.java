package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.IpmiDecodeException;
import java.util.Optional;

/**
 * Boot options parameter 5, boot flags, 5 data bytes (IPMI v2.0 table 28-14).
 * <pre>
 * d1 b7 valid, b6 persistent (0 = next boot only), b5 EFI (0 = legacy)
 * d2 b7 CMOS clear, b6 lock keyboard, b5:2 device selector, b1 screen blank, b0 lock reset
 * d3 b7 lock power button, b6:5 verbosity, b4 progress traps, b3 password bypass, b2 lock sleep, b1:0 console redirection
 * d4 b3 shared-mode override, b2:0 mux control
 * d5 b4:0 device instance
 * </pre>
 * Bytes 3–5 are kept raw. Many BMCs (both simulators) drop the persistent/EFI bits: read the parameter back.
 */
public record BootFlags(boolean valid, boolean persistent, boolean efi, int data2, int data3, int data4, int data5) {

    public static final int LENGTH = 5;

    /** What {@code ipmitool chassis bootdev DEV [options=persistent,efiboot]} writes. */
    public static BootFlags forDevice(BootDevice device, boolean persistent, boolean efi) {
        return new BootFlags(true, persistent, efi, device.selector() << 2, 0, 0, 0);
    }

    /** Raw 4-bit selector; may be a reserved value. */
    public int deviceSelector() {
        return data2 >>> 2 & 0x0F;
    }

    public Optional<BootDevice> device() {
        return BootDevice.bySelector(deviceSelector());
    }

    public boolean cmosClear() {
        return (data2 & 0x80) != 0;
    }

    public boolean lockKeyboard() {
        return (data2 & 0x40) != 0;
    }

    public boolean screenBlank() {
        return (data2 & 0x02) != 0;
    }

    public boolean lockResetButton() {
        return (data2 & 0x01) != 0;
    }

    public byte[] encode() {
        int d1 = (valid ? 0x80 : 0) | (persistent ? 0x40 : 0) | (efi ? 0x20 : 0);
        return new byte[] {(byte) d1, (byte) data2, (byte) data3, (byte) data4, (byte) data5};
    }

    /** Lenient: missing trailing bytes read as 0 (some BMCs return fewer than 5). */
    public static BootFlags decode(byte[] data) throws IpmiDecodeException {
        ByteReader r = new ByteReader(data);
        int d1 = r.u8("boot flags byte 1");
        return new BootFlags(
                (d1 & 0x80) != 0,
                (d1 & 0x40) != 0,
                (d1 & 0x20) != 0,
                optional(r),
                optional(r),
                optional(r),
                optional(r));
    }

    private static int optional(ByteReader r) throws IpmiDecodeException {
        return r.hasRemaining() ? r.u8("boot flags") : 0;
    }
}
