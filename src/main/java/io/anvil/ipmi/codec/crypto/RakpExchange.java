package io.anvil.ipmi.codec.crypto;

import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import java.util.Objects;

/**
 * Everything both sides know after RAKP2 (docs/ipmi.md#open-session-and-rakp, IPMI v2.0 §13.31–§13.32), with the HMACs
 * both roles need. A client verifies {@link #rakp2AuthCode}, sends {@link #rakp3AuthCode} and verifies
 * {@link #rakp4Icv}; a BMC simulator does the mirror image. Keys (Kuid, Kg, SIK) are parameters, never fields.
 *
 * @param consoleSessionId SIDm, the remote console's session id
 * @param bmcSessionId     SIDc, the managed system's session id
 * @param consoleRandom    Rm, 16 bytes from RAKP1
 * @param bmcRandom        Rc, 16 bytes from RAKP2
 * @param bmcGuid          GUIDc, 16 bytes from RAKP2
 * @param role             the whole RAKP1 role byte, including the 0x10 name-only bit
 * @param username         user name as sent in RAKP1 (no padding)
 */
public record RakpExchange(
        AuthAlgorithm algorithm,
        int consoleSessionId,
        int bmcSessionId,
        byte[] consoleRandom,
        byte[] bmcRandom,
        byte[] bmcGuid,
        int role,
        byte[] username) {

    public RakpExchange {
        Objects.requireNonNull(algorithm, "algorithm");
        consoleRandom = checkLength(consoleRandom, 16, "Rm");
        bmcRandom = checkLength(bmcRandom, 16, "Rc");
        bmcGuid = checkLength(bmcGuid, 16, "GUIDc");
        username = Objects.requireNonNull(username, "username").clone();
        if (username.length > 16) {
            throw new IllegalArgumentException("user name is at most 16 bytes");
        }
        if (role < 0 || role > 0xFF) {
            throw new IllegalArgumentException("role is one byte");
        }
    }

    private static byte[] checkLength(byte[] b, int n, String name) {
        if (Objects.requireNonNull(b, name).length != n) {
            throw new IllegalArgumentException(name + " must be " + n + " bytes");
        }
        return b.clone();
    }

    /** ROLEm ‖ ULENm ‖ UNAMEm, the tail shared by four of the HMAC inputs. */
    private byte[] roleAndName() {
        return new ByteWriter(18).u8(role).u8(username.length).bytes(username).toByteArray();
    }

    /** RAKP2 KeyExchangeAuthCode = H_Kuid(SIDm ‖ SIDc ‖ Rm ‖ Rc ‖ GUIDc ‖ ROLEm ‖ ULENm ‖ UNAMEm). */
    public byte[] rakp2AuthCode(byte[] kuid) {
        return algorithm.hmac(
                kuid,
                ByteWriter.le32(consoleSessionId),
                ByteWriter.le32(bmcSessionId),
                consoleRandom,
                bmcRandom,
                bmcGuid,
                roleAndName());
    }

    /** RAKP3 KeyExchangeAuthCode = H_Kuid(Rc ‖ SIDm ‖ ROLEm ‖ ULENm ‖ UNAMEm). */
    public byte[] rakp3AuthCode(byte[] kuid) {
        return algorithm.hmac(kuid, bmcRandom, ByteWriter.le32(consoleSessionId), roleAndName());
    }

    /** SIK = H_Kg(Rm ‖ Rc ‖ ROLEm ‖ ULENm ‖ UNAMEm); Kg is the BMC key, or Kuid when none is set. */
    public byte[] sessionIntegrityKey(byte[] kg) {
        return algorithm.hmac(kg, consoleRandom, bmcRandom, roleAndName());
    }

    /** RAKP4 ICV = H_SIK(Rm ‖ SIDc ‖ GUIDc) truncated to {@link AuthAlgorithm#rakp4IcvLength()}. */
    public byte[] rakp4Icv(byte[] sik) {
        return algorithm.hmac(algorithm.rakp4IcvLength(), sik, consoleRandom, ByteWriter.le32(bmcSessionId), bmcGuid);
    }

    /** SIK, K1 and K2 in one go. */
    public SessionKeys deriveKeys(byte[] kg) {
        return SessionKeys.fromSik(algorithm, sessionIntegrityKey(kg));
    }

    /** Client side: false means a wrong password ("RAKP 2 HMAC is invalid", IPMI v2.0 §13.31–§13.32). */
    public boolean verifyRakp2(byte[] kuid, byte[] received) {
        return Hmac.equal(rakp2AuthCode(kuid), received);
    }

    /** BMC side: checks the console's RAKP3 auth code. */
    public boolean verifyRakp3(byte[] kuid, byte[] received) {
        return Hmac.equal(rakp3AuthCode(kuid), received);
    }

    /** Client side: checks the BMC's RAKP4 ICV. */
    public boolean verifyRakp4(byte[] sik, byte[] received) {
        return Hmac.equal(rakp4Icv(sik), received);
    }

    @Override
    public byte[] consoleRandom() {
        return consoleRandom.clone();
    }

    @Override
    public byte[] bmcRandom() {
        return bmcRandom.clone();
    }

    @Override
    public byte[] bmcGuid() {
        return bmcGuid.clone();
    }

    @Override
    public byte[] username() {
        return username.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RakpExchange x
                && x.algorithm == algorithm
                && x.consoleSessionId == consoleSessionId
                && x.bmcSessionId == bmcSessionId
                && java.util.Arrays.equals(x.consoleRandom, consoleRandom)
                && java.util.Arrays.equals(x.bmcRandom, bmcRandom)
                && java.util.Arrays.equals(x.bmcGuid, bmcGuid)
                && x.role == role
                && java.util.Arrays.equals(x.username, username);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, consoleSessionId, bmcSessionId, role);
    }

    @Override
    public String toString() {
        // Rm, Rc and GUIDc travel in clear on the wire; no key material is held here.
        return String.format(
                "RakpExchange[%s, SIDm=%08x, SIDc=%08x, Rm=%s, Rc=%s, GUIDc=%s, role=%02x, user=%s]",
                algorithm,
                consoleSessionId,
                bmcSessionId,
                Hex.of(consoleRandom),
                Hex.of(bmcRandom),
                Hex.of(bmcGuid),
                role,
                new String(username, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
