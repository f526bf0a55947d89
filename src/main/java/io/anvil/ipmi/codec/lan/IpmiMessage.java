package io.anvil.ipmi.codec.lan;

/**
 * One IPMI LAN message (IPMI v2.0 §13.8), the plaintext that both session formats carry. Requests and
 * responses share the wire layout but name the addresses differently, so they are two records.
 */
public sealed interface IpmiMessage permits IpmiRequest, IpmiResponse {

    /** BMC slave address (responder). */
    int BMC_ADDRESS = 0x20;
    /** Remote-console software id used by ipmitool, FreeIPMI and pyghmi as requester address. */
    int REMOTE_CONSOLE_SWID = 0x81;

    int netFn();

    int command();

    int rqSeq();

    /** Wire bytes including both checksums. */
    byte[] encode();

    /**
     * What a requester matches a response on: (rqSeq, request netFn, cmd), IPMI v2.0 §13.8. Equal for a request and
     * its response.
     */
    default int correlationKey() {
        return (rqSeq() & 0x3F) << 16 | (netFn() & 0x3E) << 8 | (command() & 0xFF);
    }
}
