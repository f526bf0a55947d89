package io.anvil.testsupport;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.store.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Several Anvil conductors sharing one fresh PostgreSQL database and the shared Redis: each member runs in its own
 * Vert.x instance with a single event loop (one JVM stands in for several conductor processes). A member can stop
 * gracefully, be killed (its Vert.x closed without unregistering or releasing anything: the keepalive and the lock
 * leases just end, as with {@code kill -9}) or be stalled (its only event loop blocked, as in a long GC pause: no
 * keepalive, no lease renewal, no I/O) and resumed.
 */
public final class AnvilCluster implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final DatabaseUrl database;
    private final Map<String, Object> common;
    private final List<Member> members = new ArrayList<>();
    private final Vertx timers = Vertx.vertx();

    private AnvilCluster(DatabaseUrl database, Map<String, Object> common) {
        this.database = database;
        this.common = common;
    }

    /**
     * Fast cluster defaults for tests: keepalive 200 ms, offline after 1 s, rings rebuilt every 200 ms, lock leases of
     * 1.5 s, graceful stop bounded at 10 s.
     */
    public static Map<String, Object> fastDefaults() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("conductor.heartbeat_interval", 0.2);
        cfg.put("conductor.heartbeat_timeout", 1.0);
        cfg.put("conductor.hash_ring_reset_interval", 0.2);
        cfg.put("conductor.lock_lease", 1.5);
        cfg.put("conductor.graceful_shutdown_timeout", 10.0);
        return cfg;
    }

    /** A cluster on a brand-new database, no member started yet; {@code overrides} apply to every member. */
    public static AnvilCluster create(Map<String, Object> overrides) {
        Map<String, Object> cfg = fastDefaults();
        cfg.putAll(overrides);
        return new AnvilCluster(TestServices.freshDatabase(), cfg);
    }

    /** Starts {@code hostnames.length} members, in order. */
    public static AnvilCluster start(Map<String, Object> overrides, String... hostnames) throws Exception {
        AnvilCluster c = create(overrides);
        for (String h : hostnames) {
            c.startMember(h, Map.of());
        }
        return c;
    }

    public DatabaseUrl database() {
        return database;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public Member member(String hostname) {
        return members.stream()
                .filter(m -> m.hostname.equals(hostname) && m.running)
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalArgumentException("no running member " + hostname));
    }

    /** Running (not killed, not stopped) members, stalled ones included. */
    public List<Member> running() {
        return members.stream().filter(m -> m.running).toList();
    }

    /** Starts one more conductor on the shared database (also: a restart with a hostname used before). */
    public Member startMember(String hostname, Map<String, Object> overrides) throws Exception {
        Map<String, Object> cfg = new HashMap<>(common);
        cfg.put("api.port", 0);
        cfg.put("api.instances", 1);
        cfg.put("api.host", "127.0.0.1");
        cfg.put("database.url", TestServices.urlOf(database));
        cfg.put("database.pool_size", 4);
        cfg.put("database.pipelined_size", 2);
        cfg.put("redis.url", TestServices.redisUrl());
        cfg.put("conductor.hostname", hostname);
        cfg.put("secrets.key", TestServices.SECRETS_KEY);
        cfg.putAll(overrides);
        Vertx vertx = Vertx.vertx(
                new VertxOptions().setEventLoopPoolSize(1).setBlockedThreadCheckInterval(TimeUnit.HOURS.toMillis(1)));
        Anvil anvil = get(Anvil.start(vertx, AnvilConfig.of(cfg)));
        Member m = new Member(hostname, vertx, anvil);
        members.add(m);
        return m;
    }

    /** A JDBC connection to the shared database (the caller closes it). */
    public Connection jdbc() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    /**
     * Waits until {@code condition} holds, checking every 50 ms on a Vert.x timer (never Thread.sleep); fails with
     * {@code what} after {@code timeout}.
     */
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        Conditions.await(timers, what, timeout, Duration.ofMillis(50), condition);
    }

    public void await(String what, BooleanSupplier condition) {
        await(what, WAIT, condition);
    }

    public static <T> T get(Future<T> f) {
        return get(f, WAIT);
    }

    public static <T> T get(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The cause a future failed with (fails the test if it succeeded). */
    public static Throwable failure(Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
        throw new AssertionError("expected the future to fail, it succeeded");
    }

    @Override
    public void close() {
        for (Member m : members) {
            if (m.stalled != null) {
                m.resume();
            }
            if (m.running) {
                try {
                    m.stop();
                } catch (RuntimeException | Error e) {
                    m.kill();
                }
            }
        }
        get(timers.close());
    }

    /** One conductor of the cluster. */
    public static final class Member {
        private final String hostname;
        private final Vertx vertx;
        private final Anvil anvil;
        private volatile boolean running = true;
        private volatile CountDownLatch stalled;

        Member(String hostname, Vertx vertx, Anvil anvil) {
            this.hostname = hostname;
            this.vertx = vertx;
            this.anvil = anvil;
        }

        public String hostname() {
            return hostname;
        }

        public Anvil anvil() {
            return anvil;
        }

        public Vertx vertx() {
            return vertx;
        }

        public int port() {
            return anvil.apiPort();
        }

        public boolean running() {
            return running;
        }

        /** Graceful stop (drain), then closes its Vert.x. */
        public void stop() {
            Future<Void> f = stopAsync();
            get(f, Duration.ofSeconds(90));
        }

        /** Starts a graceful stop; the future completes once drained and closed. */
        public Future<Void> stopAsync() {
            running = false;
            Promise<Void> done = Promise.promise();
            anvil.stop().onComplete(x -> new Thread(
                            () -> {
                                // closing from inside its own event loop would complete on a dead loop: hop to a plain
                                // thread
                                get(vertx.close());
                                done.complete();
                            },
                            "close-" + hostname)
                    .start());
            return done.future();
        }

        /** kill -9: Vert.x closed without stopping Anvil: no unregister, no lock release, the keepalive just ends. */
        public void kill() {
            running = false;
            get(vertx.close());
        }

        /** Blocks this member's only event loop until {@link #resume()}: its keepalive and lease renewals stop. */
        public void stall() {
            CountDownLatch latch = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            stalled = latch;
            vertx.runOnContext(v -> {
                entered.countDown();
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                if (!entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("could not stall " + hostname);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public void resume() {
            CountDownLatch l = stalled;
            stalled = null;
            if (l != null) {
                l.countDown();
            }
        }

        @Override
        public String toString() {
            return hostname + (running ? "" : " (down)");
        }
    }
}
