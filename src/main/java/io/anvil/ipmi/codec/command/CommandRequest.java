package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.lan.IpmiRequest;

/**
 * Typed request data of one IPMI command. {@link #encode()} returns the data bytes only (after cmd, before
 * the checksum); {@link #toRequest(int)} wraps them in a LAN request from the remote console to the BMC.
 * Every implementation with data has a matching static {@code decode(byte[])} for the simulator side; commands
 * without data share {@link EmptyRequest}.
 */
public interface CommandRequest {

    int netFn();

    int command();

    byte[] encode();

    default IpmiRequest toRequest(int rqSeq) {
        return IpmiRequest.toBmc(netFn(), command(), rqSeq, encode());
    }
}
