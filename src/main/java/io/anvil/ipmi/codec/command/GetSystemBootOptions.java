package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.Arrays;
import java.util.Objects;

/** Get System Boot Options, Chassis 0x09 (IPMI v2.0 §28.13). */
public final class GetSystemBootOptions {

    public static final int NET_FN = NetFn.CHASSIS;
    public static final int COMMAND = 0x09;
    public static final int PARAMETER_VERSION = 0x01;

    private GetSystemBootOptions() {}

    public record Request(int parameter, int setSelector, int blockSelector) implements CommandRequest {

        public static Request of(int parameter) {
            return new Request(parameter, 0, 0);
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
        public byte[] encode() {
            return new byte[] {(byte) (parameter & 0x7F), (byte) setSelector, (byte) blockSelector};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int parameter = r.u8("parameter selector") & 0x7F;
            // set/block selectors are optional in practice; default to 0
            int set = r.hasRemaining() ? r.u8("set selector") : 0;
            int block = r.hasRemaining() ? r.u8("block selector") : 0;
            return new Request(parameter, set, block);
        }
    }

    /** @param parameterInvalid b7 of byte 2: parameter marked invalid/locked */
    public record Response(int parameterVersion, boolean parameterInvalid, int parameter, byte[] parameterData)
            implements CommandResponse {

        public Response {
            parameterData =
                    Objects.requireNonNull(parameterData, "parameterData").clone();
        }

        public static Response bootFlags(BootFlags flags) {
            return new Response(PARAMETER_VERSION, false, BootParameter.BOOT_FLAGS, flags.encode());
        }

        /** Typed view when {@code parameter} is 5. */
        public BootFlags bootFlags() throws IpmiDecodeException {
            return BootFlags.decode(parameterData);
        }

        @Override
        public byte[] parameterData() {
            return parameterData.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(2 + parameterData.length)
                    .u8(parameterVersion)
                    .u8((parameterInvalid ? 0x80 : 0) | parameter)
                    .bytes(parameterData)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int version = r.u8("parameter version");
            int b1 = r.u8("parameter selector");
            return new Response(version, (b1 & 0x80) != 0, b1 & 0x7F, r.rest());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response x
                    && x.parameterVersion == parameterVersion
                    && x.parameterInvalid == parameterInvalid
                    && x.parameter == parameter
                    && Arrays.equals(x.parameterData, parameterData);
        }

        @Override
        public int hashCode() {
            return parameter * 31 + Arrays.hashCode(parameterData);
        }

        @Override
        public String toString() {
            return "GetSystemBootOptions.Response[param=" + parameter + (parameterInvalid ? ", invalid" : "")
                    + ", data=" + Hex.of(parameterData) + "]";
        }
    }
}
