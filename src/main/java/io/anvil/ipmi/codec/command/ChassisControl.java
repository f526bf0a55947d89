package io.anvil.ipmi.codec.command;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/** Chassis Control, Chassis 0x02 (IPMI v2.0 §28.3); needs OPERATOR. Response has no data ({@link NoData}). */
public final class ChassisControl {

    public static final int NET_FN = NetFn.CHASSIS;
    public static final int COMMAND = 0x02;

    private ChassisControl() {}

    /** Bits 3:0 of the request byte; the ordinal is the wire value. */
    public enum Action {
        POWER_DOWN,
        POWER_UP,
        POWER_CYCLE,
        HARD_RESET,
        DIAGNOSTIC_INTERRUPT,
        SOFT_SHUTDOWN
    }

    public record Request(Action action) implements CommandRequest {

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
            return new byte[] {(byte) action.ordinal()};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            int code = new ByteReader(data).u8("chassis control") & 0x0F;
            if (code >= Action.values().length) {
                throw new IpmiDecodeException(BAD_FIELD, "chassis control action " + code);
            }
            return new Request(Action.values()[code]);
        }
    }
}
