package io.anvil.redfish;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that remembers which server certificate chains its delegate (the JDK's PKIX trust manager over a CA
 * bundle) accepted, so a new TLS connection presenting a chain already accepted under exactly the same conditions does
 * not run the certificate-path validation again (docs/redfish.md#client). The cache key is everything the delegate's
 * verdict depends on: the exact DER encoding of every certificate of the chain, the key-exchange type, the peer's host
 * name and the requested SNI names (the host-name check), the endpoint identification algorithm ({@code HTTPS} when
 * the host is verified), and the signature algorithms the handshake's session allows on both sides (the algorithm
 * constraints). A chain differing in one byte, another host or another setting is a miss and fully validated; a
 * refused chain is never remembered. An entry lasts until the earliest {@code notAfter} of its chain, and at most
 * {@code maxAgeMs}; the cache holds at most {@code capacity} entries (one is dropped to make room). With revocation
 * checking on ({@code com.sun.net.ssl.checkRevocation=true}) nothing is cached, so every handshake asks again.
 */
final class VerifiedChains extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final int capacity;
    private final long maxAgeMs;
    private final LongSupplier clock;
    private final Map<Key, Long> accepted = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong validations = new AtomicLong();

    VerifiedChains(X509ExtendedTrustManager delegate, int capacity, long maxAgeMs, LongSupplier clock) {
        this.delegate = Objects.requireNonNull(delegate);
        this.capacity = Boolean.getBoolean("com.sun.net.ssl.checkRevocation") ? 0 : capacity;
        this.maxAgeMs = maxAgeMs;
        this.clock = clock;
    }

    /** Handshakes whose chain was found accepted, and handshakes validated by the delegate (for tests and metrics). */
    long hits() {
        return hits.get();
    }

    long validations() {
        return validations.get();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        Key key = capacity > 0 && chain != null && chain.length > 0 ? Key.of(chain, authType, engine) : null;
        if (key != null) {
            Long until = accepted.get(key);
            if (until != null) {
                if (clock.getAsLong() < until) {
                    hits.incrementAndGet();
                    return;
                }
                accepted.remove(key, until);
            }
        }
        validations.incrementAndGet();
        delegate.checkServerTrusted(chain, authType, engine);
        if (key != null) {
            long now = clock.getAsLong();
            long until = now + maxAgeMs;
            for (X509Certificate c : chain) {
                until = Math.min(until, c.getNotAfter().getTime());
            }
            if (until > now) {
                if (accepted.size() >= capacity) {
                    Iterator<Key> it = accepted.keySet().iterator();
                    if (it.hasNext()) {
                        accepted.remove(it.next());
                    }
                }
                accepted.put(key, until);
            }
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        validations.incrementAndGet();
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        validations.incrementAndGet();
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** What the delegate's verdict on a server chain depends on (see the class comment). */
    private static final class Key {
        private final byte[][] encoded;
        private final String authType;
        private final String peerHost;
        private final String identification;
        private final List<?> serverNames;
        private final List<String> localAlgorithms;
        private final List<String> peerAlgorithms;
        private final int hash;

        private Key(
                byte[][] encoded,
                String authType,
                String peerHost,
                String identification,
                List<?> serverNames,
                List<String> localAlgorithms,
                List<String> peerAlgorithms) {
            this.encoded = encoded;
            this.authType = authType;
            this.peerHost = peerHost;
            this.identification = identification;
            this.serverNames = serverNames;
            this.localAlgorithms = localAlgorithms;
            this.peerAlgorithms = peerAlgorithms;
            this.hash = Arrays.deepHashCode(encoded) * 31
                    + Objects.hash(authType, peerHost, identification, serverNames, localAlgorithms, peerAlgorithms);
        }

        /** The key, or null when a part cannot be read (then the chain is validated, not cached). */
        static Key of(X509Certificate[] chain, String authType, SSLEngine engine) {
            byte[][] encoded = new byte[chain.length][];
            try {
                for (int i = 0; i < chain.length; i++) {
                    encoded[i] = chain[i].getEncoded();
                }
            } catch (CertificateEncodingException | RuntimeException e) {
                return null;
            }
            if (engine == null) {
                return new Key(encoded, authType, null, null, List.of(), List.of(), List.of());
            }
            SSLSession session = engine.getHandshakeSession();
            List<?> names = List.of();
            List<String> local = List.of();
            List<String> peer = List.of();
            if (session instanceof ExtendedSSLSession s) {
                names = List.copyOf(s.getRequestedServerNames());
                local = List.of(s.getLocalSupportedSignatureAlgorithms());
                peer = List.of(s.getPeerSupportedSignatureAlgorithms());
            } else if (session != null) {
                return null;
            }
            String identification = engine.getSSLParameters().getEndpointIdentificationAlgorithm();
            return new Key(encoded, authType, engine.getPeerHost(), identification, names, local, peer);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && hash == k.hash
                    && Arrays.deepEquals(encoded, k.encoded)
                    && Objects.equals(authType, k.authType)
                    && Objects.equals(peerHost, k.peerHost)
                    && Objects.equals(identification, k.identification)
                    && serverNames.equals(k.serverNames)
                    && localAlgorithms.equals(k.localAlgorithms)
                    && peerAlgorithms.equals(k.peerAlgorithms);
        }
    }
}
