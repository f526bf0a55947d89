package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.lan.NetFn;

/** Get Channel Authentication Capabilities, App 0x38 (IPMI v2.0 §22.13). Sent pre-session. */
public final class GetChannelAuthCapabilities {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x38;
    /** "This channel" — the one the request arrived on. */
    public static final int CURRENT_CHANNEL = 0x0E;

    private GetChannelAuthCapabilities() {}

    /** @param requestV20Data bit 7: ask for the IPMI v2.0 extended data (RMCP+ support) */
    public record Request(int channel, boolean requestV20Data, Privilege maxPrivilege) implements CommandRequest {

        public static Request ipmi20(Privilege maxPrivilege) {
            return new Request(CURRENT_CHANNEL, true, maxPrivilege);
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
            return new byte[] {(byte) ((requestV20Data ? 0x80 : 0) | channel & 0x0F), (byte) maxPrivilege.code()};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            int b0 = r.u8("channel");
            return new Request(b0 & 0x0F, (b0 & 0x80) != 0, Privilege.fromCode(r.u8("max privilege") & 0x0F));
        }
    }

    /**
     * @param authTypes            b7 v2.0 extended data present, b5 OEM, b4 straight password, b2 MD5, b1 MD2, b0 none
     * @param status               b5 Kg non-zero, b4 per-message auth disabled, b3 user-level auth disabled,
     *                             b2 non-null users, b1 null users, b0 anonymous login
     * @param extendedCapabilities b1 IPMI 2.0 connections, b0 IPMI 1.5 connections
     */
    public record Response(
            int channel, int authTypes, int status, int extendedCapabilities, int oemIana, int oemAuxData)
            implements CommandResponse {

        public boolean supports(AuthType type) {
            return (authTypes & type.capabilityBit()) != 0;
        }

        public boolean hasV20ExtendedData() {
            return (authTypes & 0x80) != 0;
        }

        public boolean kgNonZero() {
            return (status & 0x20) != 0;
        }

        public boolean perMessageAuthenticationDisabled() {
            return (status & 0x10) != 0;
        }

        public boolean userLevelAuthenticationDisabled() {
            return (status & 0x08) != 0;
        }

        public boolean nonNullUsersEnabled() {
            return (status & 0x04) != 0;
        }

        public boolean nullUsersEnabled() {
            return (status & 0x02) != 0;
        }

        public boolean anonymousLoginEnabled() {
            return (status & 0x01) != 0;
        }

        public boolean supportsIpmi20() {
            return hasV20ExtendedData() && (extendedCapabilities & 0x02) != 0;
        }

        public boolean supportsIpmi15() {
            return !hasV20ExtendedData() || (extendedCapabilities & 0x01) != 0;
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(8)
                    .u8(channel)
                    .u8(authTypes)
                    .u8(status)
                    .u8(extendedCapabilities)
                    .u24le(oemIana)
                    .u8(oemAuxData)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(
                    r.u8("channel"),
                    r.u8("auth types"),
                    r.u8("status"),
                    r.u8("extended capabilities"),
                    r.u24le("OEM IANA"),
                    r.u8("OEM aux data"));
        }
    }
}
