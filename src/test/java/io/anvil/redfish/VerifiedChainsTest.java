package io.anvil.redfish;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.anvil.sim.redfish.RedfishTls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache of validated certificate chains: only the exact chain already accepted skips the JDK's path validation;
 * a changed certificate, another CA's, an expired entry or a full cache is validated (and refused) as before.
 */
class VerifiedChainsTest {
    private static final long MAX_AGE = 60_000;
    private static RedfishTls one;
    private static RedfishTls other;

    @BeforeAll
    static void certificates() {
        one = RedfishTls.generate(List.of("127.0.0.1"), List.of("localhost"), 2);
        other = RedfishTls.generate(List.of("127.0.0.1"), List.of("localhost"), 2);
    }

    private static X509Certificate cert(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static X509Certificate cert(byte[] der) throws Exception {
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** The JDK's PKIX trust manager over these CAs. */
    private static X509ExtendedTrustManager jdk(String... caPems) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < caPems.length; i++) {
            ks.setCertificateEntry("ca" + i, cert(caPems[i]));
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(ks);
        return (X509ExtendedTrustManager) f.getTrustManagers()[0];
    }

    private static void check(VerifiedChains tm, X509Certificate c) throws CertificateException {
        tm.checkServerTrusted(new X509Certificate[] {c}, "ECDHE_ECDSA", (javax.net.ssl.SSLEngine) null);
    }

    @Test
    void theSameChainIsValidatedOnceAndAnotherCasChainIsRefusedEveryTime() throws Exception {
        VerifiedChains tm = new VerifiedChains(jdk(one.caPem()), 16, MAX_AGE, System::currentTimeMillis);
        X509Certificate mine = cert(one.certPem());
        check(tm, mine);
        check(tm, cert(one.certPem()));
        assertEquals(1, tm.validations(), "the second, identical chain was not validated again");
        assertEquals(1, tm.hits());

        X509Certificate foreign = cert(other.certPem());
        assertThrows(CertificateException.class, () -> check(tm, foreign));
        assertThrows(CertificateException.class, () -> check(tm, foreign), "a refusal is never remembered");
        assertEquals(3, tm.validations());
        assertEquals(1, tm.hits());
    }

    @Test
    void aChangedCertificateIsValidatedAndRefusedThoughTheOriginalWasRemembered() throws Exception {
        VerifiedChains tm = new VerifiedChains(jdk(one.caPem()), 16, MAX_AGE, System::currentTimeMillis);
        X509Certificate mine = cert(one.certPem());
        check(tm, mine);
        byte[] der = mine.getEncoded();
        der[der.length - 1] ^= 1; // the signature's last byte: same subject, issuer and key, a forged signature
        X509Certificate forged = cert(der);
        assertThrows(CertificateException.class, () -> check(tm, forged));
        assertEquals(2, tm.validations());
        assertEquals(0, tm.hits());
        assertDoesNotThrow(() -> check(tm, mine));
        assertEquals(1, tm.hits());
    }

    @Test
    void anotherTrustedChainIsAMissNotAHit() throws Exception {
        VerifiedChains tm = new VerifiedChains(jdk(one.caPem(), other.caPem()), 16, MAX_AGE, System::currentTimeMillis);
        check(tm, cert(one.certPem()));
        check(tm, cert(other.certPem()));
        assertEquals(2, tm.validations());
        assertEquals(0, tm.hits());
    }

    @Test
    void anEntryLastsAtMostTheMaximumAgeAndUntilTheChainExpires() throws Exception {
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        VerifiedChains tm = new VerifiedChains(jdk(one.caPem()), 16, MAX_AGE, now::get);
        X509Certificate mine = cert(one.certPem());
        check(tm, mine);
        now.addAndGet(MAX_AGE + 1);
        check(tm, mine);
        assertEquals(2, tm.validations(), "older than the maximum age: validated again");

        VerifiedChains longLived = new VerifiedChains(jdk(one.caPem()), 16, Long.MAX_VALUE / 2, now::get);
        check(longLived, mine);
        now.set(mine.getNotAfter().getTime());
        check(longLived, mine); // the delegate checks the real clock, before notAfter
        assertEquals(2, longLived.validations(), "at the chain's notAfter the entry is gone: validated again");
        assertEquals(0, longLived.hits());
    }

    @Test
    void aFullCacheDropsAnEntryAndSizeZeroValidatesEveryHandshake() throws Exception {
        VerifiedChains one1 =
                new VerifiedChains(jdk(one.caPem(), other.caPem()), 1, MAX_AGE, System::currentTimeMillis);
        check(one1, cert(one.certPem()));
        check(one1, cert(other.certPem()));
        check(one1, cert(one.certPem()));
        assertEquals(3, one1.validations(), "the first chain was dropped to make room for the second");

        VerifiedChains off = new VerifiedChains(jdk(one.caPem()), 0, MAX_AGE, System::currentTimeMillis);
        check(off, cert(one.certPem()));
        check(off, cert(one.certPem()));
        assertEquals(2, off.validations());
        assertEquals(0, off.hits());
    }
}
