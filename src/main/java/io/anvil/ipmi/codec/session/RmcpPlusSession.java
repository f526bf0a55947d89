package io.anvil.ipmi.codec.session;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_INTEGRITY;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.SEQUENCE_REJECTED;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.WRONG_SESSION;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.crypto.AesCbc128;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.Hmac;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import javax.crypto.Mac;

/**
 * Crypto and sequence state of one established RMCP+ session, usable by either end:
 * <ul>
 *   <li>{@link #seal} turns a plaintext payload into a wire-ready {@link V20SessionPacket}: AES-CBC-128
 * with a fresh IV (IPMI v2.0 §13.29), integrity pad / next header / ICV under K1
 *       (docs/ipmi.md#integrity-and-confidentiality), next sequence number.</li>
 *   <li>{@link #open} checks session id and payload flags against the suite, verifies the ICV
 * (constant-time), decrypts, checks the confidentiality pad and then the receive window
 *       (docs/ipmi.md#sequence-numbers).</li>
 * </ul>
 * {@code localSessionId} is the id the peer writes into packets sent to us (a console's SIDm, a BMC's SIDc);
 * {@code remoteSessionId} is the id we write (the peer's id).
 *
 * <p>Not thread-safe ({@link Mac} and {@link javax.crypto.Cipher} are not): confine each instance to the
 * context that owns the session, e.g. the per-BMC state machine in a worker verticle.
 */
public final class RmcpPlusSession {

    /** Confidentiality IVs of every session: SecureRandom is thread-safe, and one per session cost a lookup each. */
    private static final SecureRandom IVS = new SecureRandom();

    private final CipherSuite suite;
    private final int localSessionId;
    private final int remoteSessionId;
    private final byte[] k1;
    private final Mac integrityMac;
    private final AesCbc128 aes;
    private final SessionSequence outbound;
    private final SequenceWindow inbound;
    private final Random ivSource;

    public RmcpPlusSession(
            CipherSuite suite,
            SessionKeys keys,
            int localSessionId,
            int remoteSessionId,
            SessionSequence outbound,
            SequenceWindow inbound,
            Random ivSource) {
        this.suite = Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(keys, "keys");
        if (!suite.integrity().implemented() || !suite.confidentiality().implemented()) {
            throw new IllegalArgumentException("cipher suite " + suite.id() + " uses an unimplemented algorithm");
        }
        if (keys.algorithm() != suite.authentication()) {
            throw new IllegalArgumentException(
                    "keys derived with " + keys.algorithm() + ", suite uses " + suite.authentication());
        }
        this.localSessionId = localSessionId;
        this.remoteSessionId = remoteSessionId;
        this.k1 = keys.k1();
        this.integrityMac = suite.hasIntegrity() ? Hmac.init(suite.integrity().jcaName(), k1) : null;
        this.aes = suite.hasConfidentiality() ? new AesCbc128(keys.aesKey()) : null;
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.ivSource = Objects.requireNonNull(ivSource, "ivSource");
    }

    /** Session as seen by the remote console (client): we receive SIDm, we send SIDc. */
    public static RmcpPlusSession forConsole(
            CipherSuite suite, SessionKeys keys, int consoleSessionId, int bmcSessionId) {
        return new RmcpPlusSession(
                suite,
                keys,
                consoleSessionId,
                bmcSessionId,
                SessionSequence.startingAtOne(),
                SequenceWindow.rmcpPlus(),
                IVS);
    }

    /** Session as seen by a (simulated) BMC: we receive SIDc, we send SIDm. */
    public static RmcpPlusSession forBmc(CipherSuite suite, SessionKeys keys, int bmcSessionId, int consoleSessionId) {
        return new RmcpPlusSession(
                suite,
                keys,
                bmcSessionId,
                consoleSessionId,
                SessionSequence.startingAtOne(),
                SequenceWindow.rmcpPlus(),
                IVS);
    }

    public CipherSuite suite() {
        return suite;
    }

    public int localSessionId() {
        return localSessionId;
    }

    public int remoteSessionId() {
        return remoteSessionId;
    }

    /** Seals with the next outbound sequence number and a random IV. */
    public V20SessionPacket seal(int payloadType, byte[] plaintext) {
        byte[] iv = new byte[AesCbc128.BLOCK];
        ivSource.nextBytes(iv);
        return seal(payloadType, plaintext, outbound.next(), iv);
    }

    /** Seals an IPMI message with the next outbound sequence number. */
    public V20SessionPacket seal(IpmiMessage message) {
        return seal(PayloadType.IPMI, message.encode());
    }

    /**
     * Deterministic seal with an explicit sequence number and IV (the IV is ignored without confidentiality).
     * Used by {@link #seal(int, byte[])} and by tests that reproduce captured packets byte for byte.
     */
    public V20SessionPacket seal(int payloadType, byte[] plaintext, int sequence, byte[] iv) {
        if (PayloadType.isSessionSetup(payloadType)) {
            throw new IllegalArgumentException("session-setup payloads are sent outside the session");
        }
        byte[] payload = aes != null ? aes.encrypt(iv, plaintext) : plaintext.clone();
        if (integrityMac == null) {
            return new V20SessionPacket(
                    payloadType, aes != null, false, 0, 0, remoteSessionId, sequence, payload, null, null);
        }
        int headerLength = payloadType == PayloadType.OEM_EXPLICIT ? 18 : 12;
        byte[] pad = new byte[V20SessionPacket.requiredIntegrityPad(headerLength, payload.length)];
        Arrays.fill(pad, (byte) 0xFF);
        V20SessionPacket unsigned = new V20SessionPacket(
                payloadType, aes != null, true, 0, 0, remoteSessionId, sequence, payload, pad, null);
        return unsigned.withAuthCode(icv(unsigned.integrityInput()));
    }

    /**
     * Verifies and decrypts a received packet and records its sequence number. Throws (and records
     * nothing) when the session id, flags, ICV, ciphertext or sequence number is wrong.
     */
    public byte[] open(V20SessionPacket packet) throws IpmiDecodeException {
        byte[] plaintext = verifyAndDecrypt(packet);
        if (!inbound.accept(packet.sessionSequence())) {
            throw new IpmiDecodeException(
                    SEQUENCE_REJECTED,
                    String.format(
                            "sequence %08x outside window (highest %08x)",
                            packet.sessionSequence(), inbound.highest()));
        }
        return plaintext;
    }

    /** {@link #open} followed by IPMI message decoding (payload type must be IPMI). */
    public IpmiMessage openMessage(V20SessionPacket packet) throws IpmiDecodeException {
        if (packet.payloadType() != PayloadType.IPMI) {
            throw new IpmiDecodeException(WRONG_SESSION, "payload type " + PayloadType.name(packet.payloadType()));
        }
        return IpmiMessages.decode(open(packet));
    }

    /** ICV and decryption only, without touching the receive window. */
    public byte[] verifyAndDecrypt(V20SessionPacket packet) throws IpmiDecodeException {
        if (packet.sessionId() != localSessionId) {
            throw new IpmiDecodeException(
                    WRONG_SESSION, String.format("session id %08x, expected %08x", packet.sessionId(), localSessionId));
        }
        if (packet.authenticated() != suite.hasIntegrity() || packet.encrypted() != suite.hasConfidentiality()) {
            throw new IpmiDecodeException(WRONG_SESSION, "payload flags do not match cipher suite " + suite.id());
        }
        if (integrityMac != null) {
            byte[] received = packet.authCode();
            if (received.length != suite.integrity().icvLength()
                    || !Hmac.equal(icv(packet.integrityInput()), received)) {
                throw new IpmiDecodeException(BAD_INTEGRITY, "integrity check value mismatch");
            }
        }
        return aes != null ? aes.decrypt(packet.payload()) : packet.payload();
    }

    private byte[] icv(byte[] input) {
        return Arrays.copyOf(integrityMac.doFinal(input), suite.integrity().icvLength());
    }

    @Override
    public String toString() {
        return String.format(
                "RmcpPlusSession[suite=%d, local=%08x, remote=%08x, nextSeq=%08x, keys=<masked>]",
                suite.id(), localSessionId, remoteSessionId, outbound.peek());
    }
}
