package io.anvil.ipmi.codec.rmcpplus;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.crypto.CipherSuite;

/**
 * RMCP+ Open Session Response, payload type 0x11: 36 bytes, or 8 when status ≠ 0 (IPMI v2.0 §13.18).
 * Always compare {@link #algorithms()} with what was proposed (pyghmi answers suite 3 whatever you ask,
 * docs/ipmi.md#open-session-and-rakp); do not reject a max privilege of 0 (ipmi_sim, OpenBMC).
 *
 * @param algorithms null in the short error form
 */
public record OpenSessionResponse(
        int tag, int status, int maxPrivilege, int consoleSessionId, int bmcSessionId, AlgorithmProposal algorithms) {

    public static final int PAYLOAD_TYPE = PayloadType.OPEN_SESSION_RESPONSE;

    public static OpenSessionResponse accepted(
            OpenSessionRequest request, int maxPrivilege, int bmcSessionId, CipherSuite suite) {
        return new OpenSessionResponse(
                request.tag(),
                RmcpPlusStatus.NO_ERRORS,
                maxPrivilege,
                request.consoleSessionId(),
                bmcSessionId,
                AlgorithmProposal.of(suite));
    }

    public static OpenSessionResponse error(OpenSessionRequest request, int status) {
        return new OpenSessionResponse(request.tag(), status, 0, request.consoleSessionId(), 0, null);
    }

    public boolean isSuccess() {
        return status == RmcpPlusStatus.NO_ERRORS;
    }

    public byte[] encode() {
        ByteWriter w =
                new ByteWriter(36).u8(tag).u8(status).u8(maxPrivilege).u8(0).u32le(consoleSessionId);
        if (algorithms != null) {
            w.u32le(bmcSessionId);
            algorithms.write(w);
        }
        return w.toByteArray();
    }

    public static OpenSessionResponse decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        int status = r.u8("status");
        if (status != RmcpPlusStatus.NO_ERRORS && r.remaining() < 6) {
            // ipmi_sim 2.0.33 refuses e.g. suite 17 with just "tag, status" (2 bytes)
            return new OpenSessionResponse(tag, status, 0, 0, 0, null);
        }
        int priv = r.u8("max privilege") & 0x0F;
        r.skip(1, "reserved");
        int sidm = r.u32le("console session id");
        if (status != RmcpPlusStatus.NO_ERRORS && r.remaining() < 28) {
            return new OpenSessionResponse(tag, status, priv, sidm, 0, null);
        }
        int sidc = r.u32le("BMC session id");
        return new OpenSessionResponse(tag, status, priv, sidm, sidc, AlgorithmProposal.read(r));
    }
}
