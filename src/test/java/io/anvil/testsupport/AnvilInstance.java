package io.anvil.testsupport;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Anvil conductor on a fresh database, for tests that talk to it from outside (CLI, HTTP). */
public final class AnvilInstance implements AutoCloseable {
    private final Vertx vertx;
    private final Anvil anvil;
    private final DatabaseUrl database;

    private AnvilInstance(Vertx vertx, Anvil anvil, DatabaseUrl database) {
        this.vertx = vertx;
        this.anvil = anvil;
        this.database = database;
    }

    /**
     * The configuration every test conductor starts from: one API verticle on an ephemeral loopback port, the test
     * database and Redis, and a short graceful-stop bound.
     */
    public static Map<String, Object> testConfig(DatabaseUrl db, String hostname) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("api.port", 0);
        cfg.put("api.instances", 1);
        cfg.put("api.host", "127.0.0.1");
        // tests abandon tasks on purpose; a stop should not wait the production 60 s for them
        cfg.put("conductor.graceful_shutdown_timeout", 2.0);
        cfg.put("database.url", TestServices.urlOf(db));
        cfg.put("redis.url", TestServices.redisUrl());
        cfg.put("conductor.hostname", hostname);
        cfg.put("secrets.key", TestServices.SECRETS_KEY);
        return cfg;
    }

    public static AnvilInstance start(Map<String, Object> overrides) throws Exception {
        DatabaseUrl db = TestServices.freshDatabase();
        Map<String, Object> cfg = testConfig(db, "test-conductor-" + db.database());
        cfg.putAll(overrides);
        Vertx vertx = Vertx.vertx();
        Anvil anvil = Anvil.start(vertx, AnvilConfig.of(cfg))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return new AnvilInstance(vertx, anvil, db);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + anvil.apiPort();
    }

    public int port() {
        return anvil.apiPort();
    }

    public Anvil anvil() {
        return anvil;
    }

    public DatabaseUrl database() {
        return database;
    }

    @Override
    public void close() throws Exception {
        // two steps from this (non-Vert.x) thread: a close composed on an event loop would complete on a dead loop
        anvil.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
