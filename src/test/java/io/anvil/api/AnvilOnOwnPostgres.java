package io.anvil.api;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A conductor on an embedded PostgreSQL of the test's own, which the test stops and starts again on the same port and
 * data (docs/scale-out.md#postgresql-restarts): the machine's shared server is never touched. Closing stops the
 * conductor, the PostgreSQL (either run), the Vert.x instance, and deletes the data directory.
 */
final class AnvilOnOwnPostgres implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final DatabaseUrl url;
    final Anvil anvil;
    private final Path dir;
    private final EmbeddedServices first;
    private EmbeddedServices restarted;

    private AnvilOnOwnPostgres(Path dir, String hostname, Map<String, Object> settings) throws IOException {
        this.dir = dir;
        this.first = EmbeddedServices.start(dir, true, false);
        this.url = DatabaseUrl.parse(first.databaseUrl());
        Map<String, Object> cfg = AnvilInstance.testConfig(url, hostname);
        cfg.put("database.url", first.databaseUrl());
        cfg.putAll(settings);
        Anvil started;
        try {
            started = get(Anvil.start(vertx, AnvilConfig.of(cfg)));
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
        this.anvil = started;
    }

    /** A conductor called {@code hostname} with {@code settings} on top of the test defaults. */
    static AnvilOnOwnPostgres start(String hostname, Map<String, Object> settings) throws IOException {
        return new AnvilOnOwnPostgres(Files.createTempDirectory(Path.of("target"), hostname + "-"), hostname, settings);
    }

    int port() {
        return anvil.apiPort();
    }

    /** A fast shutdown (zonky's): every session ends, every open transaction rolls back. */
    void stopPostgres() {
        first.close();
    }

    /** Starts it again on the same port and data. */
    void startPostgres() {
        restarted = EmbeddedServices.start(dir, true, false, url.port());
    }

    @Override
    public void close() throws IOException {
        if (anvil != null) {
            get(anvil.stop().recover(e -> Future.succeededFuture()));
        }
        stopAll();
    }

    private void stopAll() throws IOException {
        if (restarted != null) {
            restarted.close();
        }
        first.close();
        get(vertx.close());
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    static <T> T get(Future<T> f) {
        return Conditions.result(f, Duration.ofSeconds(90));
    }
}
