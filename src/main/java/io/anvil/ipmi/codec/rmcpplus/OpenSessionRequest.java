package io.anvil.ipmi.codec.rmcpplus;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import java.util.Objects;

/**
 * RMCP+ Open Session Request, payload type 0x10, 32 bytes (IPMI v2.0 §13.17). Ask for the privilege you want
 * (e.g. 4), not 0 (docs/ipmi.md#interop-pitfalls, pitfall 5).
 */
public record OpenSessionRequest(
        int tag, int requestedMaxPrivilege, int consoleSessionId, AlgorithmProposal algorithms) {

    public static final int PAYLOAD_TYPE = PayloadType.OPEN_SESSION_REQUEST;

    public OpenSessionRequest {
        Objects.requireNonNull(algorithms, "algorithms");
    }

    public static OpenSessionRequest of(int tag, int requestedMaxPrivilege, int consoleSessionId, CipherSuite suite) {
        return new OpenSessionRequest(tag, requestedMaxPrivilege, consoleSessionId, AlgorithmProposal.of(suite));
    }

    public byte[] encode() {
        ByteWriter w =
                new ByteWriter(32).u8(tag).u8(requestedMaxPrivilege).u16le(0).u32le(consoleSessionId);
        algorithms.write(w);
        return w.toByteArray();
    }

    public static OpenSessionRequest decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        int priv = r.u8("requested max privilege") & 0x0F;
        r.skip(2, "reserved");
        int sidm = r.u32le("console session id");
        return new OpenSessionRequest(tag, priv, sidm, AlgorithmProposal.read(r));
    }
}
