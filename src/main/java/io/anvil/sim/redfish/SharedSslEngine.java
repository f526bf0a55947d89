package io.anvil.sim.redfish;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS engine options whose SSL context is built once and shared by every BMC server of a fleet. Each Vert.x server
 * otherwise builds its own on its first connection (the key material converted, a native context made): with
 * thousands of BMCs that cost the simulator more CPU than the handshakes of a whole sweep. The engine is BoringSSL
 * (netty-tcnative) when it is on the class path, the JDK's otherwise.
 */
final class SharedSslEngine extends SSLEngineOptions {
    private final SSLEngineOptions engine;
    private SslContext context; // guarded by this

    SharedSslEngine() {
        this.engine = OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /** The servers' options are copied per server: every copy shares this one context. */
    @Override
    public SSLEngineOptions copy() {
        return this;
    }

    @Override
    public SslContextFactory sslContextFactory() {
        SslContextFactory f = engine.sslContextFactory();
        return new SslContextFactory() {
            @Override
            public SslContextFactory useAlpn(boolean useAlpn) {
                f.useAlpn(useAlpn);
                return this;
            }

            @Override
            public SslContextFactory clientAuth(ClientAuth clientAuth) {
                f.clientAuth(clientAuth);
                return this;
            }

            @Override
            public SslContextFactory forClient(boolean forClient) {
                f.forClient(forClient);
                return this;
            }

            @Override
            public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
                f.keyMananagerFactory(kmf);
                return this;
            }

            @Override
            public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
                f.trustManagerFactory(tmf);
                return this;
            }

            @Override
            public SslContextFactory enabledCipherSuites(Set<String> suites) {
                f.enabledCipherSuites(suites);
                return this;
            }

            @Override
            public SslContextFactory applicationProtocols(List<String> protocols) {
                f.applicationProtocols(protocols);
                return this;
            }

            @Override
            public SslContextFactory serverName(String name) {
                f.serverName(name);
                return this;
            }

            @Override
            public SslContext create() throws SSLException {
                synchronized (SharedSslEngine.this) {
                    if (context == null) {
                        context = f.create();
                    }
                    return context;
                }
            }
        };
    }
}
