package io.anvil.ipmi.codec;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An {@link RmcpMessage} with the remote address: on the inbound side {@code peer} is the sender, on the
 * outbound side it is the recipient. One socket serves many BMCs (client) or many simulated BMCs
 * (server), so the peer travels with every message; demultiplexing is by (peer, session id).
 */
public record RmcpDatagram(RmcpMessage message, InetSocketAddress peer) {

    public RmcpDatagram {
        Objects.requireNonNull(message, "message");
    }
}
