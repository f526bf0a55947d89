package io.anvil.sim.redfish;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong resumed = new AtomicLong();

    SharedSslEngine() {
        this.engine = OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /** Handshakes completed and resumed so far; null with the JDK's engine (it cannot tell a resumed one). */
    TlsHandshakes handshakes() {
        return engine instanceof OpenSSLEngineOptions ? new TlsHandshakes(completed.get(), resumed.get()) : null;
    }

    /**
     * Counts the handshake of a new server connection once it completes: whether BoringSSL resumed a session (a
     * client's TLS 1.3 ticket) rather than making a new one. BoringSSL's own statistics are not kept per context.
     */
    void count(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase c)) {
            return;
        }
        SslHandler ssl = c.channel().pipeline().get(SslHandler.class);
        if (ssl == null) {
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                completed.incrementAndGet();
                if (ssl.engine() instanceof ReferenceCountedOpenSslEngine e && SSL.isSessionReused(e.sslPointer())) {
                    resumed.incrementAndGet();
                }
            }
        });
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
