package io.anvil.ipmi.client;

/**
 * Which IPMI-over-LAN session format to speak to a BMC (IPMI v2.0 §13.6; docs/ipmi.md#v15-sessions,
 * docs/ipmi.md#rmcp-packets).
 */
public enum ProtocolVersion {
    /** IPMI v2.0 / RMCP+ ({@code ipmitool -I lanplus}): RAKP key exchange, integrity, AES. The default. */
    V2_0,
    /** IPMI v1.5 ({@code ipmitool -I lan}): Get Session Challenge + Activate Session, none/straight/MD2/MD5. */
    V1_5
}
