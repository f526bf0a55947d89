package io.anvil.sim.redfish;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The one server key and certificate chain every simulated BMC presents, parsed once. Handing Vert.x this key
 * manager (instead of PEM options) spares each of the fleet's thousands of servers from building its own key store
 * (Vert.x protects it with PBKDF2: about 90 ms per server, serialized on one thread).
 */
final class SharedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "bmc";
    private final PrivateKey key;
    private final X509Certificate[] chain;

    private SharedKeyManager(PrivateKey key, X509Certificate[] chain) {
        this.key = key;
        this.chain = chain;
    }

    /** From a PEM certificate chain and a PKCS#8 PEM private key (EC or RSA). */
    static SharedKeyManager of(String certPem, String keyPem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)));
            X509Certificate[] chain =
                    certs.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException("no certificate in the PEM text");
            }
            byte[] der = pkcs8(keyPem);
            String algorithm = chain[0].getPublicKey().getAlgorithm();
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new SharedKeyManager(key, chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable certificate or key: " + e.getMessage(), e);
        }
    }

    /**
     * The options that hand this key manager to Vert.x. With BoringSSL it goes through netty's caching factory: a
     * plain key manager is converted to BoringSSL's form (PEM-encoded, then parsed) on every handshake, because it
     * might change; this one never does, so it is converted once.
     */
    KeyCertOptions keyCertOptions() {
        if (!OpenSSLEngineOptions.isAvailable()) {
            return KeyCertOptions.wrap(this);
        }
        X509KeyManager self = this;
        KeyManagerFactory plain = new KeyManagerFactory(
                new KeyManagerFactorySpi() {
                    @Override
                    protected void engineInit(KeyStore ks, char[] password) {}

                    @Override
                    protected void engineInit(ManagerFactoryParameters spec) {}

                    @Override
                    protected KeyManager[] engineGetKeyManagers() {
                        return new KeyManager[] {self};
                    }
                },
                null,
                "SharedKeyManager") {};
        return KeyCertOptions.wrap(new OpenSslCachingX509KeyManagerFactory(plain));
    }

    private static byte[] pkcs8(String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException("the key must be an unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY)");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return keyType.equals(key.getAlgorithm()) || keyType.startsWith(key.getAlgorithm()) ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return key;
    }
}
