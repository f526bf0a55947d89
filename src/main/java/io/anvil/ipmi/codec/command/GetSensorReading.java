package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.Arrays;

/** Get Sensor Reading, Sensor/Event 0x2D (IPMI v2.0 §35.14). The sensor's LUN goes in the message header. */
public final class GetSensorReading {

    public static final int NET_FN = NetFn.SENSOR_EVENT;
    public static final int COMMAND = 0x2D;

    private GetSensorReading() {}

    public record Request(int sensorNumber) implements CommandRequest {

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
            return new byte[] {(byte) sensorNumber};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            return new Request(new ByteReader(data).u8("sensor number"));
        }
    }

    /**
     * @param flags  b7 event messages enabled, b6 scanning enabled, b5 reading unavailable
     * @param states 0–2 optional bytes: threshold comparison bits (b5:0) or discrete states 0–7, then 8–14
     */
    public record Response(int reading, int flags, byte[] states) implements CommandResponse {

        public Response {
            states = states == null ? new byte[0] : states.clone();
            if (states.length > 2) {
                throw new IllegalArgumentException("at most 2 state bytes");
            }
        }

        public boolean eventMessagesEnabled() {
            return (flags & 0x80) != 0;
        }

        public boolean scanningEnabled() {
            return (flags & 0x40) != 0;
        }

        public boolean readingUnavailable() {
            return (flags & 0x20) != 0;
        }

        @Override
        public byte[] states() {
            return states.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(4).u8(reading).u8(flags).bytes(states).toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(r.u8("reading"), r.u8("flags"), r.bytes(Math.min(r.remaining(), 2), "states"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response x
                    && x.reading == reading
                    && x.flags == flags
                    && Arrays.equals(x.states, states);
        }

        @Override
        public int hashCode() {
            return reading * 31 + flags;
        }

        @Override
        public String toString() {
            return String.format(
                    "GetSensorReading.Response[reading=0x%02x, flags=0x%02x, states=%s]",
                    reading, flags, Hex.of(states));
        }
    }
}
