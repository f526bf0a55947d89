package io.anvil.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Credentials made up by a test: an htpasswd file of bcrypt hashes, a self-signed TLS certificate, Basic headers. */
public final class TestCredentials {
    private TestCredentials() {}

    /**
     * An Apache htpasswd file ({@code htpasswd -B} format, {@code $2y$}) for these users and passwords. Cost 4, the
     * lowest bcrypt allows, keeps tests quick; the verification is the same at any cost.
     */
    public static Path htpasswd(Path dir, Map<String, String> passwords) {
        StringBuilder out = new StringBuilder();
        SecureRandom random = new SecureRandom();
        passwords.forEach((user, password) -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            out.append(user)
                    .append(':')
                    .append(OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 4))
                    .append('\n');
        });
        return write(dir.resolve("htpasswd"), out.toString());
    }

    /** The value of an {@code Authorization} header for HTTP basic. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A self-signed certificate and its key. */
    public record Tls(Path cert, Path key) {}

    /** A self-signed RSA certificate for 127.0.0.1 and localhost (PEM files in {@code dir}), valid for a day. */
    public static Tls selfSigned(Path dir) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair kp = gen.generateKeyPair();
            X500Name name = new X500Name("CN=anvil-test");
            long now = System.currentTimeMillis();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(now),
                    new Date(now - 60_000),
                    new Date(now + 86_400_000),
                    name,
                    kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                new GeneralName(GeneralName.dNSName, "localhost")
            }));
            var holder = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
            return new Tls(
                    write(dir.resolve("api.crt"), pem(holder)), write(dir.resolve("api.key"), pem(kp.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e, e);
        }
    }

    /** PEM text of a key, certificate or public key. */
    public static String pem(Object o) {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
