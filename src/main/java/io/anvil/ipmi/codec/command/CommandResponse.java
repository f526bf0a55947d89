package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.lan.CompletionCode;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;

/**
 * Typed response data of one IPMI command (the bytes after the completion code). Every implementation has
 * a static {@code decode(byte[])}; decode only when the completion code is 0x00.
 */
public interface CommandResponse {

    byte[] encode();

    /** Successful LAN response to {@code request} carrying this data (what a BMC simulator sends). */
    default IpmiResponse toResponse(IpmiRequest request) {
        return request.respond(CompletionCode.OK, encode());
    }
}
