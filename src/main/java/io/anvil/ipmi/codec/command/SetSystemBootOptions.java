package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.Arrays;
import java.util.Objects;

/**
 * Set System Boot Options, Chassis 0x08 (IPMI v2.0 §28.12); response has no data ({@link NoData}).
 * ipmitool's {@code bootdev pxe options=persistent,efiboot} sequence is
 * {@code setInProgress(1), bootInfoAcknowledge(1, 1), bootFlags(...), setInProgress(2), setInProgress(0)}
 * = {@code 00 01 | 04 01 01 | 05 e0 04 00 00 00 | 00 02 | 00 00}.
 */
public final class SetSystemBootOptions {

    public static final int NET_FN = NetFn.CHASSIS;
    public static final int COMMAND = 0x08;

    private SetSystemBootOptions() {}

    /** @param markInvalid b7 of byte 1: mark the parameter invalid/locked */
    public record Request(int parameter, boolean markInvalid, byte[] parameterData) implements CommandRequest {

        public Request {
            if (parameter < 0 || parameter > 0x7F) {
                throw new IllegalArgumentException("parameter selector is 7 bits");
            }
            parameterData =
                    Objects.requireNonNull(parameterData, "parameterData").clone();
        }

        /** Parameter 0: {@link BootParameter#SET_COMPLETE}, SET_IN_PROGRESS_VALUE or COMMIT_WRITE. */
        public static Request setInProgress(int state) {
            return new Request(BootParameter.SET_IN_PROGRESS, false, new byte[] {(byte) state});
        }

        /** Parameter 3: the valid-bit clearing mask. */
        public static Request validBitClearing(int mask) {
            return new Request(BootParameter.VALID_BIT_CLEARING, false, new byte[] {(byte) mask});
        }

        /** Parameter 4: boot info acknowledge (write mask, data). */
        public static Request bootInfoAcknowledge(int writeMask, int data) {
            return new Request(BootParameter.BOOT_INFO_ACKNOWLEDGE, false, new byte[] {(byte) writeMask, (byte) data});
        }

        /** Parameter 5: boot flags. */
        public static Request bootFlags(BootFlags flags) {
            return new Request(BootParameter.BOOT_FLAGS, false, flags.encode());
        }

        @Override
        public int netFn() {
            return NET_FN;
        }

        @Override
        public int command() {
            return COMMAND;
        }

        @Override
        public byte[] parameterData() {
            return parameterData.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(1 + parameterData.length)
                    .u8((markInvalid ? 0x80 : 0) | parameter)
                    .bytes(parameterData)
                    .toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int b0 = r.u8("parameter selector");
            return new Request(b0 & 0x7F, (b0 & 0x80) != 0, r.rest());
        }

        /** Typed view when {@code parameter} is 5. */
        public BootFlags bootFlags() throws IpmiDecodeException {
            return BootFlags.decode(parameterData);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request x
                    && x.parameter == parameter
                    && x.markInvalid == markInvalid
                    && Arrays.equals(x.parameterData, parameterData);
        }

        @Override
        public int hashCode() {
            return parameter * 31 + Arrays.hashCode(parameterData);
        }

        @Override
        public String toString() {
            return "SetSystemBootOptions.Request[param=" + parameter + (markInvalid ? ", invalid" : "") + ", data="
                    + Hex.of(parameterData) + "]";
        }
    }
}
