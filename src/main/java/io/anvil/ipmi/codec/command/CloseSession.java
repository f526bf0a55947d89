package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * Close Session, App 0x3C (IPMI v2.0 §22.19); response has no data ({@link NoData}). Close on every path:
 * leaked sessions exhaust the BMC (docs/ipmi.md#session-life-cycle). For RMCP+ the id is the BMC's SIDc.
 */
public final class CloseSession {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x3C;
    public static final int NO_HANDLE = -1;

    private CloseSession() {}

    /** @param sessionHandle only sent when {@code sessionId} is 0; otherwise {@link #NO_HANDLE} */
    public record Request(int sessionId, int sessionHandle) implements CommandRequest {

        public Request(int sessionId) {
            this(sessionId, NO_HANDLE);
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
            ByteWriter w = new ByteWriter(5).u32le(sessionId);
            if (sessionId == 0 && sessionHandle != NO_HANDLE) {
                w.u8(sessionHandle);
            }
            return w.toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int id = r.u32le("session id");
            return new Request(id, id == 0 && r.hasRemaining() ? r.u8("session handle") : NO_HANDLE);
        }
    }
}
