package io.anvil.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The embedded default: a PostgreSQL and a Redis started from jars, with their data under one directory,
 * so a newcomer needs only a JDK and Maven. Blocking by nature; call it from main or a worker, never an
 * event loop.
 */
public final class EmbeddedServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);

    private final EmbeddedPostgres postgres;
    private final RedisServer redis;
    private final int redisPort;

    private EmbeddedServices(EmbeddedPostgres postgres, RedisServer redis, int redisPort) {
        this.postgres = postgres;
        this.redis = redis;
        this.redisPort = redisPort;
    }

    /**
     * Starts what is asked for. {@code dataDir} keeps PostgreSQL's cluster ({@code pg/}) and Redis' append-only
     * file ({@code redis/}) so a restart loses nothing; {@code null} means throw-away temporary directories.
     */
    public static EmbeddedServices start(Path dataDir, boolean withPostgres, boolean withRedis) {
        return start(dataDir, withPostgres, withRedis, 0);
    }

    /** As above, with PostgreSQL on {@code postgresPort} (0: a free one), so a restart keeps its address. */
    public static EmbeddedServices start(Path dataDir, boolean withPostgres, boolean withRedis, int postgresPort) {
        String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (withPostgres && !POSTGRES_PLATFORMS.contains(platform)) {
            throw new Unavailable(
                    unavailable("PostgreSQL", platform, POSTGRES_PLATFORMS, "database.url", "ANVIL_DATABASE_URL"));
        }
        if (withRedis && !REDIS_PLATFORMS.contains(platform)) {
            throw new Unavailable(unavailable("Redis", platform, REDIS_PLATFORMS, "redis.url", "ANVIL_REDIS_URL"));
        }
        try {
            Path root = dataDir != null ? dataDir : Files.createTempDirectory("anvil-embedded");
            EmbeddedPostgres pg = null;
            if (withPostgres) {
                Path pgDir = root.resolve("pg");
                Files.createDirectories(pgDir);
                LOG.info("Starting embedded PostgreSQL with data in {}", pgDir.toAbsolutePath());
                pg = EmbeddedPostgres.builder()
                        .setDataDirectory(pgDir)
                        .setCleanDataDirectory(dataDir == null)
                        .setPort(postgresPort > 0 ? postgresPort : freePort())
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", dataDir == null ? "off" : "on")
                        // with a data dir (anvil serve) the owner stops PostgreSQL after Anvil has drained and left the
                        // conductors table; the library's own hook would stop it at the same time, under the drain's
                        // feet
                        .setRegisterShutdownHook(dataDir == null)
                        .start();
            }
            RedisServer redis = null;
            int redisPort = 0;
            if (withRedis) {
                Path redisDir = root.resolve("redis");
                Files.createDirectories(redisDir);
                redisPort = freePort();
                LOG.info("Starting embedded Redis with data in {}", redisDir.toAbsolutePath());
                redis = RedisServer.newRedisServer()
                        .port(redisPort)
                        .setting("bind 127.0.0.1")
                        .setting("dir " + redisDir.toAbsolutePath())
                        .setting("save \"\"")
                        .setting("appendonly " + (dataDir == null ? "no" : "yes"))
                        .setting("maxmemory-policy noeviction")
                        .build();
                redis.start();
            }
            return new EmbeddedServices(pg, redis, redisPort);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded services", e);
        }
    }

    /**
     * Where the embedded PostgreSQL runs: the zonky binaries pom.xml keeps (Linux and macOS, x86-64 and arm64; not
     * Windows, not Alpine's musl).
     */
    static final List<String> POSTGRES_PLATFORMS =
            List.of("linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64");

    /** Where the embedded Redis runs: the redis-server binaries inside embedded-redis 1.4.4's jar. */
    static final List<String> REDIS_PLATFORMS =
            List.of("linux-amd64", "linux-arm64", "linux-386", "darwin-amd64", "darwin-arm64", "windows-amd64");

    /** {@code os.name} and {@code os.arch} as {@code linux-amd64}, {@code darwin-arm64}, ... */
    static String platform(String osName, String osArch) {
        String name = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux")
                ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin")
                        ? "darwin"
                        : name.startsWith("windows") ? "windows" : name.replace(' ', '_');
        String arch =
                switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
                    case "amd64", "x86_64", "x86-64" -> "amd64";
                    case "aarch64", "arm64" -> "arm64";
                    case "x86", "i386", "i486", "i586", "i686" -> "386";
                    default -> osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
                };
        return os + "-" + arch;
    }

    static String unavailable(String what, String platform, List<String> supported, String key, String variable) {
        return "the embedded " + what + " has no binaries for " + platform + " (it runs on "
                + String.join(", ", supported) + "); run " + what + " yourself and name it with " + key
                + " in conf/anvil.yaml or " + variable;
    }

    /** The embedded services cannot run on this platform; the message says what to configure instead. */
    public static final class Unavailable extends IllegalStateException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/postgres}, or null when PostgreSQL was not started. */
    public String databaseUrl() {
        return postgres == null ? null : "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public String redisUrl() {
        return redis == null ? null : "redis://127.0.0.1:" + redisPort;
    }

    @Override
    public void close() {
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                LOG.warn("embedded Redis did not stop cleanly: {}", e.toString());
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
