package io.anvil.lock;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A Redis of one test's own, for faults that would disturb other tests (restart without persistence, DEBUG SLEEP,
 * CLIENT KILL). Uses the system redis-server (7.x, DEBUG enabled) when installed, else the embedded 6.2 binary.
 */
final class PrivateRedis implements AutoCloseable {
    private static final File SYSTEM = new File("/usr/bin/redis-server");
    private final int port;
    private RedisServer server;

    private PrivateRedis(int port) {
        this.port = port;
    }

    static PrivateRedis start() {
        try (ServerSocket s = new ServerSocket(0)) {
            PrivateRedis r = new PrivateRedis(s.getLocalPort());
            s.close();
            r.boot();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void boot() throws IOException {
        var b = RedisServer.newRedisServer()
                .port(port)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("maxmemory-policy noeviction");
        if (SYSTEM.canExecute()) {
            b.executableProvider(() -> SYSTEM).setting("enable-debug-command yes");
        }
        server = b.build();
        server.start();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (all data and the script cache are gone) and starts a fresh one on the same port. */
    void restart() {
        try {
            server.stop();
            boot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
