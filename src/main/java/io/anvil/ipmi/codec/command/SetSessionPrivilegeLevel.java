package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * Set Session Privilege Level, App 0x3B (IPMI v2.0 §22.18). Send it right after activation/RAKP4: sessions
 * start at USER and Dell answers 0xD4 to Chassis Control otherwise (docs/ipmi.md#privilege).
 */
public final class SetSessionPrivilegeLevel {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x3B;

    private SetSessionPrivilegeLevel() {}

    /** @param privilege {@link Privilege#UNSPECIFIED} just reports the current level */
    public record Request(Privilege privilege) implements CommandRequest {

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
            return new byte[] {(byte) privilege.code()};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            return new Request(Privilege.fromCode(new ByteReader(data).u8("privilege") & 0x0F));
        }
    }

    public record Response(Privilege privilege) implements CommandResponse {

        @Override
        public byte[] encode() {
            return new byte[] {(byte) privilege.code()};
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            return new Response(Privilege.fromCode(new ByteReader(data).u8("privilege") & 0x0F));
        }
    }
}
