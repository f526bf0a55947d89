package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.command.ActivatePayload;
import io.anvil.ipmi.codec.command.DeactivatePayload;
import io.anvil.ipmi.codec.sol.SolInbound;
import io.anvil.ipmi.codec.sol.SolPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The serial port of a simulated host as Serial-over-LAN sees it (IPMI v2.0 §15): one payload instance that one
 * session at a time activates (§24.1), a console that echoes what it is sent, and output (the boot log, the agent's
 * progress) sent in data packets the console must acknowledge (§15.9). Output waits while a packet is unacknowledged
 * and is retransmitted with the same sequence number every {@link #RETRY_MS} up to {@link #RETRIES} times; a partial
 * acknowledgement puts the rest back in front. Output while no session has the payload active is lost, as on a real
 * serial line nobody listens to. Created on first use; confined to the BMC's event loop.
 */
final class SimulatedConsole {

    static final int INSTANCE = 1;
    /** Largest SOL payload either side may send (header included); announced in Activate Payload's answer. */
    static final int MAX_PAYLOAD = 255;

    static final long RETRY_MS = 500;
    static final int RETRIES = 7;
    /** Output kept while the console has not acknowledged earlier output; older output is dropped beyond it. */
    static final int BUFFER_LIMIT = 16 * 1024;

    private final SimulatedBmc bmc;
    private volatile SimSession owner;
    private final ByteArrayOutputStream queued = new ByteArrayOutputStream();
    private SolPacket inFlight;
    private int tries;
    private ScheduledFuture<?> retry;
    private int lastOutSequence;
    private final SolInbound inbound = new SolInbound();
    private boolean overrun;

    SimulatedConsole(SimulatedBmc bmc) {
        this.bmc = bmc;
    }

    boolean activeOn(SimSession s) {
        return owner == s;
    }

    boolean active() {
        return owner != null;
    }

    /** Activate Payload (§24.1): one instance; a second session gets 0x80 "already active on another session". */
    int activate(SimSession s, ActivatePayload.Request req) {
        if (req.payloadType() != PayloadType.SOL) {
            return 0x81; // payload type disabled
        }
        if (req.instance() != INSTANCE) {
            return 0x82; // activation limit reached
        }
        if (owner != null) {
            return ActivatePayload.ALREADY_ACTIVE;
        }
        owner = s;
        inbound.reset();
        bmc.counters.solActivations++;
        bmc.event(String.format("SOL activated by session %08x", s.id));
        return 0x00;
    }

    /** Deactivate Payload (§24.2): from the owner or, with the privilege the dispatcher checked, any session. */
    int deactivate(SimSession by, DeactivatePayload.Request req) {
        if (req.payloadType() != PayloadType.SOL || req.instance() != INSTANCE) {
            return 0x81;
        }
        if (owner == null) {
            return DeactivatePayload.ALREADY_DEACTIVATED;
        }
        bmc.event(String.format("SOL deactivated (session %08x)", owner.id));
        if (by != owner) {
            // another console took the payload: tell the previous one (§15.9 status "SOL deactivating")
            send(new SolPacket(0, 0, 0, SolPacket.DEACTIVATING, null));
        }
        stop();
        return 0x00;
    }

    /** The owning session ended (closed, expired, BMC reset): the payload goes with it. */
    void sessionGone(SimSession s) {
        if (owner == s) {
            stop();
        }
    }

    private void stop() {
        owner = null;
        inFlight = null;
        cancelRetry();
        queued.reset();
    }

    /** One SOL packet from the owning session, already verified and decrypted. */
    void onPacket(SimSession s, SolPacket p) {
        if (owner != s) {
            bmc.counters.rejected++; // SOL traffic without an activated payload
            return;
        }
        if (p.isAck() && inFlight != null && p.ackSequence() == inFlight.sequence()) {
            acknowledged(p);
        }
        if ((p.flags() & SolPacket.GENERATE_BREAK) != 0 && p.carriesData()) {
            bmc.counters.solBreaks++;
        }
        if (p.carriesData()) {
            receive(p);
        }
    }

    private void acknowledged(SolPacket ack) {
        SolPacket sent = inFlight;
        inFlight = null;
        cancelRetry();
        int accepted = Math.min(ack.acceptedCount(), sent.length());
        bmc.counters.solCharsOut += accepted;
        if (ack.isNack() || accepted < sent.length()) {
            // not taken (console busy) or partly: the rest goes again, first
            byte[] rest = Arrays.copyOfRange(sent.data(), accepted, sent.length());
            byte[] after = queued.toByteArray();
            queued.reset();
            queued.writeBytes(rest);
            queued.writeBytes(after);
        }
        flush();
    }

    private void receive(SolPacket p) {
        byte[] input = inbound.fresh(p);
        send(SolInbound.ackFor(p));
        if (input.length > 0) {
            bmc.counters.solCharsIn += input.length;
            print(echo(input));
        }
    }

    /** What a line-mode shell echoes: the characters, a carriage return as CR LF. */
    private static byte[] echo(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length + 4);
        for (byte b : input) {
            out.write(b);
            if (b == '\r') {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /** Host output: queued for the console, lost when no session has SOL active. */
    void print(byte[] bytes) {
        if (owner == null || bytes.length == 0) {
            return;
        }
        queued.writeBytes(bytes);
        if (queued.size() > BUFFER_LIMIT) {
            byte[] all = queued.toByteArray();
            queued.reset();
            queued.write(all, all.length - BUFFER_LIMIT, BUFFER_LIMIT);
            overrun = true;
        }
        flush();
    }

    void print(String text) {
        print(text.getBytes(StandardCharsets.UTF_8));
    }

    private void flush() {
        if (owner == null || inFlight != null || queued.size() == 0) {
            return;
        }
        byte[] all = queued.toByteArray();
        int n = Math.min(all.length, MAX_PAYLOAD - SolPacket.HEADER);
        queued.reset();
        queued.write(all, n, all.length - n);
        lastOutSequence = SolPacket.nextSequence(lastOutSequence);
        inFlight =
                new SolPacket(lastOutSequence, 0, 0, overrun ? SolPacket.TRANSMIT_OVERRUN : 0, Arrays.copyOf(all, n));
        overrun = false;
        tries = 1;
        send(inFlight);
        scheduleRetry();
    }

    private void scheduleRetry() {
        retry = bmc.channel().eventLoop().schedule(this::retransmit, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    private void retransmit() {
        retry = null;
        if (inFlight == null || owner == null) {
            return;
        }
        if (tries >= RETRIES) {
            inFlight = null; // the console is gone or deaf: drop this packet, carry on with the next
            flush();
            return;
        }
        tries++;
        bmc.counters.solRetransmits++;
        send(inFlight);
        scheduleRetry();
    }

    private void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    private void send(SolPacket p) {
        bmc.send(owner.plus.seal(PayloadType.SOL, p.encode()), owner.peer);
    }
}
