package io.anvil.sim.redfish;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The simulator's TLS material, made at start: a self-signed CA and one server certificate it signs for the fleet's
 * listen address ({@code 127.0.0.1}, {@code localhost} and the configured host). Clients verify the BMCs against the
 * CA's PEM ({@code redfish_verify_ca=/path/ca.pem}, {@code requests}' {@code verify=}), as against a site CA that
 * signs real BMC certificates. P-256 keys: a TLS handshake costs a fraction of an RSA-2048 one, which matters when a
 * sweep opens 10,000 connections on 2 cores.
 *
 * @param caPem the CA certificate (PEM)
 * @param certPem the server certificate, then the CA's (a PEM chain)
 * @param keyPem the server's private key (PKCS#8 PEM)
 */
public record RedfishTls(String caPem, String certPem, String keyPem) {

    /** Makes a CA and a server certificate valid for {@code days} days for these IP addresses and DNS names. */
    public static RedfishTls generate(List<String> ipAddresses, List<String> dnsNames, int days) {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair caKeys = gen.generateKeyPair();
            KeyPair serverKeys = gen.generateKeyPair();
            long now = System.currentTimeMillis();
            Date from = new Date(now - 3_600_000L); // an hour of slack for clocks that differ
            Date to = new Date(now + days * 86_400_000L);
            X500Name caName = new X500Name("CN=Anvil Redfish simulator CA " + Long.toHexString(now));
            var caBuilder = new JcaX509v3CertificateBuilder(
                    caName, new BigInteger(64, random), from, to, caName, caKeys.getPublic());
            caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
            X509CertificateHolder ca = caBuilder.build(signer);

            X500Name serverName = new X500Name("CN=" + (dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0)));
            var serverBuilder = new JcaX509v3CertificateBuilder(
                    caName, new BigInteger(64, random), from, to, serverName, serverKeys.getPublic());
            List<GeneralName> names = new ArrayList<>();
            for (String ip : ipAddresses) {
                names.add(new GeneralName(GeneralName.iPAddress, ip));
            }
            for (String dns : dnsNames) {
                names.add(new GeneralName(GeneralName.dNSName, dns));
            }
            serverBuilder.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            serverBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            serverBuilder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            serverBuilder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509CertificateHolder server = serverBuilder.build(signer);
            String caPem = pem(ca);
            return new RedfishTls(caPem, pem(server) + caPem, pem(serverKeys.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the simulator's certificates: " + e, e);
        }
    }

    private static String pem(Object o) {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            if (o instanceof java.security.PrivateKey k) {
                w.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", k.getEncoded()));
            } else {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }
}
