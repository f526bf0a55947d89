package io.anvil.ipmi.codec;

/**
 * What one RMCP datagram carries once the 4-byte RMCP header (IPMI v2.0 §13.1) is stripped: an ASF presence
 * ping/pong (class 0x06) or an IPMI session packet (class 0x07) in v1.5 or v2.0/RMCP+ format.
 * All implementations are immutable and hold plain byte arrays, so they can cross from a Netty thread to
 * a Vert.x context without reference counting.
 */
public sealed interface RmcpMessage permits AsfPresencePing, AsfPresencePong, V15SessionPacket, V20SessionPacket {}
