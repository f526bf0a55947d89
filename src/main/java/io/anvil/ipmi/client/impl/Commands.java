package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.CompletionCodeException;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiProtocolException;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.CompletionCode;
import io.anvil.ipmi.codec.lan.IpmiResponse;

/** Completion-code checks and typed decoding of command responses, mapped to the client's exceptions. */
final class Commands {

    /** A codec {@code Response.decode} method. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(byte[] data) throws IpmiDecodeException;
    }

    private Commands() {}

    /** Throws the typed error for a non-zero completion code: 0xD4 → privilege, anything else → named code. */
    static IpmiResponse check(String bmc, String name, IpmiResponse r) {
        if (r.completionCode() == CompletionCode.OK) {
            return r;
        }
        if (r.completionCode() == CompletionCode.INSUFFICIENT_PRIVILEGE.code()) {
            throw new InsufficientPrivilegeException(bmc, name + " refused: " + r.completionCodeDescription());
        }
        throw new CompletionCodeException(
                bmc, name, r.netFn() & ~1, r.command(), r.completionCode(), r.completionCodeDescription());
    }

    static <T> T decode(String bmc, String name, IpmiResponse r, Decoder<T> decoder) {
        check(bmc, name, r);
        try {
            return decoder.decode(r.data());
        } catch (IpmiDecodeException e) {
            throw new IpmiProtocolException(bmc, name + " response does not decode: " + e.getMessage(), e);
        }
    }
}
