package io.anvil.testsupport;

import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.anvil.store.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Real PostgreSQL and Redis for tests: the servers named by {@code ANVIL_DATABASE_URL} / {@code ANVIL_REDIS_URL}
 * when set, embedded ones (started once per JVM) otherwise. Never mocks.
 */
public final class TestServices {
    private static EmbeddedServices embedded;
    private static String databaseUrl;
    private static String redisUrl;

    private TestServices() {}

    private static synchronized void init() {
        if (databaseUrl != null) {
            return;
        }
        String db = System.getenv("ANVIL_DATABASE_URL");
        String redis = System.getenv("ANVIL_REDIS_URL");
        boolean needPg = db == null || db.isBlank();
        boolean needRedis = redis == null || redis.isBlank();
        if (needPg || needRedis) {
            embedded = EmbeddedServices.start(null, needPg, needRedis);
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
        }
        databaseUrl = needPg ? embedded.databaseUrl() : db;
        redisUrl = needRedis ? embedded.redisUrl() : redis;
    }

    /**
     * The secrets key every test conductor encrypts with (secrets.key; docs/security.md): one for all, so the
     * conductors of a cluster read each other's rows. A test key, never used anywhere else.
     */
    public static final String SECRETS_KEY = "test:75TZi18oEGLbLuP2Txplvj9fMHpa4e1O6ncCWsfnhe8=";

    /** The Redis URL tests share; keep keys unique per test (node UUIDs are). */
    public static String redisUrl() {
        init();
        return redisUrl;
    }

    /** A brand-new database with every migration applied, so a test class sees only its own rows. */
    public static DatabaseUrl freshDatabase() {
        init();
        DatabaseUrl admin = DatabaseUrl.parse(databaseUrl);
        String name =
                "anvil_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + admin, e);
        }
        DatabaseUrl fresh = admin.withDatabase(name);
        Migrations.migrate(fresh);
        return fresh;
    }

    /** A URL for {@code db} that {@link DatabaseUrl#parse} reads back, password included. */
    public static String urlOf(DatabaseUrl db) {
        return "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/"
                + db.database();
    }

    /**
     * Skips the calling test when an outside tool is missing, or fails it when {@code CI=true}: CI installs
     * every interop peer, so a missing one there is a broken build, not a reason to skip.
     */
    public static String requireTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            java.io.File f = new java.io.File(dir, tool);
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        String msg = tool + " is not installed (apt-get install the interop tools, see .ci/run); skipping";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(tool + " is required when CI=true but was not found on PATH");
        }
        Assumptions.abort(msg);
        return null;
    }

    /**
     * A Python 3 interpreter that can import {@code module} (Debian's {@code /usr/bin/python3} first: apt installs
     * python3-sushy and friends there, while a pyenv {@code python3} on PATH would not see them). Skips the calling
     * test when there is none, or fails it when {@code CI=true}, as {@link #requireTool}.
     */
    public static String requirePythonModule(String module, String debianPackage) {
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import " + module)
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
                p.destroyForcibly();
            } catch (java.io.IOException e) {
                // no such interpreter: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("Python module " + module + " (apt-get install " + debianPackage
                    + ") is required when CI=true but cannot be imported");
        }
        Assumptions.abort("Python module " + module + " is not installed (apt-get install " + debianPackage
                + ", see .ci/run); skipping");
        return null;
    }
}
