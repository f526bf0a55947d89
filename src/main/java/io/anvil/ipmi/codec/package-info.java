/**
 * Pure Netty codecs for IPMI over LAN: IPMI v1.5 sessions and IPMI v2.0 / RMCP+ (docs/ipmi.md), shared by
 * Anvil's IPMI client and its BMC simulator. Nothing here blocks, and nothing holds global state.
 *
 * <h2>Layers</h2>
 * <pre>
 *  DatagramPacket                                     (Netty, one UDP socket for many peers)
 *    │  {@link io.anvil.ipmi.codec.RmcpDatagramCodec}   @Sharable, stateless; bytes via {@link io.anvil.ipmi.codec.RmcpWire}
 *  RmcpDatagram(peer, RmcpMessage)                    immutable, byte[]-backed: safe to hand to a Vert.x context
 *    ├─ AsfPresencePing / AsfPresencePong             RMCP class 0x06 (IPMI v2.0 §13.2.3–§13.2.4)
 *    ├─ V15SessionPacket                              auth type 0,1,2,4,5: header + auth code + raw IPMI message (IPMI v2.0 §13.6)
 *    └─ V20SessionPacket                              auth type 6: header + payload (maybe IV‖ciphertext) + integrity trailer (IPMI v2.0 §13.6)
 *         │  session layer, owned by the per-BMC (client) or per-session (simulator) state machine:
 *         │    {@link io.anvil.ipmi.codec.session.RmcpPlusSession}  seal/open: ICV (K1), AES-CBC-128 (K2), sequence window
 *         │    {@link io.anvil.ipmi.codec.session.V15Session}       seal/open: MD5/MD2/straight auth codes, sequence window
 *         │  before the session exists: {@link io.anvil.ipmi.codec.rmcpplus} payloads (Open Session, RAKP 1–4) and
 *         │    {@link io.anvil.ipmi.codec.crypto.RakpExchange} (RAKP HMACs, SIK, K1, K2, RAKP4 ICV)
 *  byte[] plaintext IPMI message
 *    │  {@link io.anvil.ipmi.codec.lan.IpmiMessages#decode} / {@link io.anvil.ipmi.codec.lan.IpmiMessage#encode()}
 *  IpmiRequest / IpmiResponse                         addresses, netFn/LUN, rqSeq, cmd, completion code, checksums (IPMI v2.0 §13.8)
 *    │  typed data: {@link io.anvil.ipmi.codec.command} (Request.encode/decode, Response.encode/decode)
 * </pre>
 *
 * <h2>Why the session is not a pipeline handler</h2>
 * Keys, session ids and sequence counters belong to a session state machine that lives on one Vert.x
 * worker context (docs/architecture.md#threads). The datagram codec therefore stops at the wire format: it checks
 * structure only, and hands up the still-authenticated/encrypted payload with every header field. The state machine
 * demultiplexes by {@code (peer, sessionId)} — a client by (BMC address, SIDm), a simulator by (its listen address,
 * SIDc) — and calls {@code session.open(packet)} / {@code session.seal(message)} itself. {@code Mac}/{@code Cipher} are
 * not thread-safe, so session objects are confined to that context.
 *
 * <h2>Lenient decode, strict encode</h2>
 * Decoders are total: every input yields a value or an {@link io.anvil.ipmi.codec.IpmiDecodeException}
 * (no stack trace, a {@link io.anvil.ipmi.codec.IpmiDecodeException.Reason}). The codec counts and drops
 * bad datagrams in {@link io.anvil.ipmi.codec.CodecStats}; session and message decoders throw and the
 * caller records the exception in the same {@code CodecStats}. Peers' known deviations are accepted:
 * legacy v1.5 pad byte, misaligned integrity pad, AES pad of 16, repeated v1.5 sequence numbers,
 * short error forms of Open Session Response/RAKP2, 3-byte aux firmware in Get Device ID.
 * Encoders only produce spec layouts (RMCP seq 0xFF, aligned 0xFF integrity pad, 1..N AES pad) and
 * record constructors reject impossible field values.
 *
 * <h2>Secrets</h2>
 * Passwords and keys are parameters or private fields; {@code toString()} of sessions, keys and v1.5 packets
 * (whose straight-password auth code is the password) prints {@code <masked>}.
 */
package io.anvil.ipmi.codec;
