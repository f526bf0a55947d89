package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/** Get Chassis Status, Chassis 0x01 (IPMI v2.0 §28.2). */
public final class GetChassisStatus {

    public static final int NET_FN = NetFn.CHASSIS;
    public static final int COMMAND = 0x01;

    /** The request: this command carries no data. */
    public static final EmptyRequest REQUEST = new EmptyRequest(NET_FN, COMMAND);

    public static final int NO_FRONT_PANEL = -1;

    private GetChassisStatus() {}

    /** Power restore policy, bits 6:5 of the current power state byte. */
    public enum RestorePolicy {
        ALWAYS_OFF,
        PREVIOUS,
        ALWAYS_ON,
        UNKNOWN
    }

    /**
     * @param currentPowerState  b0 power on, b1 overload, b2 interlock, b3 main power fault,
     *                           b4 power-control fault, b6:5 restore policy
     * @param lastPowerEvent     raw byte 2
     * @param miscChassisState   b0 intrusion, b1 front-panel lockout, b2 drive fault, b3 fan fault,
     *                           b5:4 identify state, b6 identify supported
     * @param frontPanelButtons  optional byte 4, or {@link #NO_FRONT_PANEL}
     */
    public record Response(int currentPowerState, int lastPowerEvent, int miscChassisState, int frontPanelButtons)
            implements CommandResponse {

        public static Response of(boolean powerOn, RestorePolicy policy) {
            return new Response((powerOn ? 1 : 0) | policy.ordinal() << 5, 0, 0, NO_FRONT_PANEL);
        }

        public boolean powerOn() {
            return (currentPowerState & 0x01) != 0;
        }

        public boolean powerOverload() {
            return (currentPowerState & 0x02) != 0;
        }

        public boolean interlock() {
            return (currentPowerState & 0x04) != 0;
        }

        public boolean mainPowerFault() {
            return (currentPowerState & 0x08) != 0;
        }

        public boolean powerControlFault() {
            return (currentPowerState & 0x10) != 0;
        }

        public RestorePolicy restorePolicy() {
            return RestorePolicy.values()[currentPowerState >>> 5 & 0x03];
        }

        @Override
        public byte[] encode() {
            ByteWriter w =
                    new ByteWriter(4).u8(currentPowerState).u8(lastPowerEvent).u8(miscChassisState);
            if (frontPanelButtons != NO_FRONT_PANEL) {
                w.u8(frontPanelButtons);
            }
            return w.toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(
                    r.u8("current power state"),
                    r.u8("last power event"),
                    r.u8("misc chassis state"),
                    r.hasRemaining() ? r.u8("front panel") : NO_FRONT_PANEL);
        }
    }
}
