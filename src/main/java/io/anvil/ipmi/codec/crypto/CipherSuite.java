package io.anvil.ipmi.codec.crypto;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cipher suite: (authentication, integrity, confidentiality) algorithms under a suite id (IPMI v2.0 §13.28).
 * Anvil offers 17 then 3 (docs/ipmi.md#cipher-suites); 1 and 2 exist for BMCs without AES; 0 is listed so that a
 * simulator can refuse it knowingly.
 */
public record CipherSuite(
        int id, AuthAlgorithm authentication, IntegrityAlgorithm integrity, ConfidentialityAlgorithm confidentiality) {

    public static final CipherSuite SUITE_0 =
            new CipherSuite(0, AuthAlgorithm.RAKP_NONE, IntegrityAlgorithm.NONE, ConfidentialityAlgorithm.NONE);
    public static final CipherSuite SUITE_1 =
            new CipherSuite(1, AuthAlgorithm.RAKP_HMAC_SHA1, IntegrityAlgorithm.NONE, ConfidentialityAlgorithm.NONE);
    public static final CipherSuite SUITE_2 = new CipherSuite(
            2, AuthAlgorithm.RAKP_HMAC_SHA1, IntegrityAlgorithm.HMAC_SHA1_96, ConfidentialityAlgorithm.NONE);
    public static final CipherSuite SUITE_3 = new CipherSuite(
            3, AuthAlgorithm.RAKP_HMAC_SHA1, IntegrityAlgorithm.HMAC_SHA1_96, ConfidentialityAlgorithm.AES_CBC_128);
    public static final CipherSuite SUITE_17 = new CipherSuite(
            17,
            AuthAlgorithm.RAKP_HMAC_SHA256,
            IntegrityAlgorithm.HMAC_SHA256_128,
            ConfidentialityAlgorithm.AES_CBC_128);

    /** The suites this codec implements end to end. */
    public static final List<CipherSuite> SUPPORTED = List.of(SUITE_0, SUITE_1, SUITE_2, SUITE_3, SUITE_17);

    public CipherSuite {
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(confidentiality, "confidentiality");
    }

    public static Optional<CipherSuite> byId(int id) {
        return SUPPORTED.stream().filter(s -> s.id == id).findFirst();
    }

    /** The supported suite with exactly these algorithm ids (what an Open Session Request proposes). */
    public static Optional<CipherSuite> byAlgorithms(int authId, int integrityId, int confidentialityId) {
        return SUPPORTED.stream()
                .filter(s -> s.authentication.id() == authId
                        && s.integrity.id() == integrityId
                        && s.confidentiality.id() == confidentialityId)
                .findFirst();
    }

    public boolean hasIntegrity() {
        return integrity != IntegrityAlgorithm.NONE;
    }

    public boolean hasConfidentiality() {
        return confidentiality != ConfidentialityAlgorithm.NONE;
    }
}
