package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.codec.CodecStats;
import io.anvil.ipmi.codec.IpmiDecodeException;
import java.util.concurrent.atomic.AtomicLong;

/** Client-wide counters behind {@link io.anvil.ipmi.client.ClientStats}; written on any thread. */
final class Counters {

    /** Shared with the datagram codec: structural rejects and session-layer rejects land in one place. */
    final CodecStats codec = new CodecStats();

    final AtomicLong sessionsOpened = new AtomicLong();
    final AtomicLong sessionsClosed = new AtomicLong();
    final AtomicLong handshakeRestarts = new AtomicLong();
    final AtomicLong datagramsSent = new AtomicLong();
    final AtomicLong datagramsReceived = new AtomicLong();
    final AtomicLong retransmits = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong pending = new AtomicLong();
    final AtomicLong unmatched = new AtomicLong();
    final AtomicLong keepalives = new AtomicLong();
    final AtomicLong circuitRejections = new AtomicLong();
    final AtomicLong circuitOpens = new AtomicLong();
    final AtomicLong sendFailures = new AtomicLong();

    void malformed(IpmiDecodeException e) {
        codec.record(e);
    }

    void malformed(IpmiDecodeException.Reason reason) {
        codec.record(reason);
    }
}
