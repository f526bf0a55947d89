package io.anvil.bench;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.security.*;
import java.security.cert.*;
import java.security.spec.ECGenParameterSpec;
import java.util.*;
import javax.net.ssl.*;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.*;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.*;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code scripts/bench chains [n]}: one thread's CPU per server-certificate check of the JDK's PKIX trust manager over a CA,
 * as the Redfish client uses it, against the same behind the client's cache of validated chains
 * ({@code io.anvil.redfish.VerifiedChains}, docs/redfish.md#client): n distinct chains (server certificate + CA, default
 * 500 and 2,000; the JDK's certificate factory keeps the last 750 parsed certificates) checked in turn, each parsed
 * afresh, 4 passes, the last one timed. Prints one line per trust manager and pass set. {@code -Dbench.keys=rsa}: RSA-2048
 * keys and signatures (what most BMCs ship) instead of ECDSA P-256.
 */
public final class ChainsBench {
    public static void main(String[] a) throws Exception {
        for (String count : (a.length > 0 ? a[0] : "500,2000").split(",")) {
            run(Integer.parseInt(count));
        }
    }

    private static void run(int n) throws Exception {
        boolean rsa = "rsa".equalsIgnoreCase(System.getProperty("bench.keys", "ec"));
        KeyPairGenerator gen = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
        if (rsa) {
            gen.initialize(2048);
        } else {
            gen.initialize(new ECGenParameterSpec("secp256r1"));
        }
        KeyPair caKeys = gen.generateKeyPair(), srv = gen.generateKeyPair();
        Date from = new Date(System.currentTimeMillis() - 3600_000),
                to = new Date(System.currentTimeMillis() + 86400_000);
        X500Name caName = new X500Name("CN=micro CA");
        var cb = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName, caKeys.getPublic());
        cb.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        cb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        var signer = new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA").build(caKeys.getPrivate());
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(cb.build(signer));
        byte[][] ders = new byte[n][];
        for (int i = 0; i < n; i++) {
            var sb = new JcaX509v3CertificateBuilder(
                    caName, BigInteger.valueOf(1000 + i), from, to, new X500Name("CN=bmc" + i), srv.getPublic());
            sb.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.1.1")));
            sb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            sb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            ders[i] = sb.build(signer).getEncoded();
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(ks);
        X509ExtendedTrustManager jdk = (X509ExtendedTrustManager) f.getTrustManagers()[0];
        var ctor = Class.forName("io.anvil.redfish.VerifiedChains")
                .getDeclaredConstructor(
                        X509ExtendedTrustManager.class, int.class, long.class, java.util.function.LongSupplier.class);
        ctor.setAccessible(true);
        X509ExtendedTrustManager cached = (X509ExtendedTrustManager)
                ctor.newInstance(jdk, 4096, 600000L, (java.util.function.LongSupplier) System::currentTimeMillis);
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (X509ExtendedTrustManager tm : new X509ExtendedTrustManager[] {jdk, cached, jdk, cached}) {
            for (int round = 0; round < 4; round++) {
                long c0 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(ders[i]));
                    tm.checkServerTrusted(
                            new X509Certificate[] {c, ca}, rsa ? "ECDHE_RSA" : "ECDHE_ECDSA", (SSLEngine) null);
                }
                if (round == 3)
                    System.out.printf(
                            "%d distinct %s chains, %s: %.1f us CPU per check%n",
                            n,
                            rsa ? "RSA-2048" : "ECDSA P-256",
                            tm == jdk ? "JDK PKIX" : "remembered",
                            (bean.getCurrentThreadCpuTime() - c0) / 1e3 / n);
            }
        }
    }
}
