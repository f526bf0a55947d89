package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The retry rule and the reconnection gate of {@link Database} (docs/scale-out.md#postgresql-restarts), against the
 * test PostgreSQL: a read whose session is terminated under it runs once more on a new connection; a write cut the
 * same way fails (503 in the API) and is not repeated; a server that refuses connections closes the gate, after
 * which requests fail at once.
 */
class DatabaseAvailabilityTest {
    private static Vertx vertx;
    /** A database per test: pools are shared by name within a Vert.x instance, so each test has its own. */
    private DatabaseUrl url;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @org.junit.jupiter.api.BeforeEach
    void freshDatabase() {
        url = TestServices.freshDatabase();
    }

    @AfterAll
    static void tearDown() {
        get(vertx.close());
    }

    /** A socket the server closed fails the client's next write with EPIPE: that is a lost connection (503), too. */
    @Test
    void aBrokenPipeOrAResetIsALostConnection() {
        assertTrue(DatabaseErrors.connectionLost(new RuntimeException(new java.io.IOException("Broken pipe"))));
        assertTrue(DatabaseErrors.connectionLost(new java.io.IOException("Connection reset by peer")));
        assertTrue(DatabaseErrors.unavailable(new java.io.IOException("Broken pipe")));
        assertFalse(DatabaseErrors.connectionLost(new java.io.IOException("No space left on device")));
    }

    @Test
    void onlyStatementsThatReadAreRetried() {
        assertTrue(GuardedSqlClient.readOnly("SELECT * FROM nodes WHERE uuid = $1"));
        assertTrue(GuardedSqlClient.readOnly("  with x as (select 1) select * from x"));
        assertFalse(GuardedSqlClient.readOnly("UPDATE conductors SET updated_at = now()"));
        assertFalse(GuardedSqlClient.readOnly("INSERT INTO events (event_type) VALUES ($1)"));
        assertFalse(GuardedSqlClient.readOnly("WITH d AS (DELETE FROM events RETURNING seq) SELECT count(*) FROM d"));
        assertFalse(GuardedSqlClient.readOnly("SELECT nextval('events_seq_seq')"));
        assertFalse(GuardedSqlClient.readOnly("NOTIFY anvil_events"));
    }

    @Test
    void eachStatementIsClassifiedOnceAndTheKeptAnswersAreBounded() {
        // asked again (a kept answer), the answers are the same
        for (int round = 0; round < 2; round++) {
            assertTrue(GuardedSqlClient.readOnly("SELECT * FROM nodes WHERE uuid = $1"));
            assertFalse(GuardedSqlClient.readOnly("UPDATE conductors SET updated_at = now()"));
        }
        // statements built per request: past the bound they are classified each time, and none is kept
        for (int i = 0; i < GuardedSqlClient.CLASSIFIED_LIMIT + 100; i++) {
            assertTrue(GuardedSqlClient.readOnly("SELECT seq FROM events WHERE seq > " + i));
            assertFalse(GuardedSqlClient.readOnly("DELETE FROM events WHERE seq < " + i));
        }
        assertTrue(GuardedSqlClient.classified() <= GuardedSqlClient.CLASSIFIED_LIMIT);
    }

    @Test
    void aReadWhoseSessionIsTerminatedRunsOnceMoreOnANewConnection() throws Exception {
        Database db = Database.connect(vertx, url, 2, 1);
        try {
            Future<RowSet<Row>> read =
                    db.reads().query("SELECT 42 AS answer, pg_sleep(1.5)").execute();
            terminate("SELECT 42 AS answer%");
            assertEquals(42, get(read).iterator().next().getInteger("answer"));
            assertFalse(db.availability().away());
        } finally {
            get(db.close());
        }
    }

    @Test
    void aWriteWhoseSessionIsTerminatedFailsAndIsNotRepeated() throws Exception {
        Database db = Database.connect(vertx, url, 2, 1);
        try {
            get(db.reads()
                    .query("CREATE TABLE IF NOT EXISTS retry_probe (n int)")
                    .execute());
            Future<RowSet<Row>> write = db.reads()
                    .query("INSERT INTO retry_probe SELECT 1 FROM pg_sleep(1.5)")
                    .execute();
            terminate("INSERT INTO retry_probe%");
            Throwable failure = Conditions.result(
                    write.transform(ar -> Future.succeededFuture(ar.cause())), Duration.ofSeconds(30));
            assertTrue(DatabaseErrors.unavailable(failure), String.valueOf(failure));
            assertEquals(
                    0L,
                    get(db.reads().query("SELECT count(*) FROM retry_probe").execute())
                            .iterator()
                            .next()
                            .getLong(0));
        } finally {
            get(db.close());
        }
    }

    @Test
    void aServerThatRefusesConnectionsClosesTheGateAndRequestsFailAtOnce() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        DatabaseUrl nowhere = new DatabaseUrl("127.0.0.1", closedPort, "anvil", "anvil", "x");
        Database db = Database.connect(vertx, nowhere, 2, 1);
        try {
            Throwable first = failure(db.reads().query("SELECT 1").execute());
            assertTrue(DatabaseErrors.unavailable(first), String.valueOf(first));
            Conditions.await(
                    vertx,
                    "the gate closing after a failed probe",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(10),
                    () -> db.availability().away());
            assertInstanceOf(
                    DatabaseAvailability.Away.class,
                    failure(db.reads().query("SELECT 1").execute()));
            Throwable tx = failure(db.inTransaction(c -> c.query("SELECT 1").execute()));
            assertInstanceOf(DatabaseAvailability.Away.class, tx);
            assertTrue(DatabaseErrors.unavailable(tx));
        } finally {
            get(db.close());
        }
    }

    /** Terminates the session running a statement like {@code pattern} once it is seen. */
    private void terminate(String pattern) throws Exception {
        DatabaseUrl admin = url;
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            Conditions.await(vertx, "the statement running", Duration.ofSeconds(30), Duration.ofMillis(10), () -> {
                try (ResultSet r = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '"
                        + pattern + "'")) {
                    return r.next() && r.getBoolean(1);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private static Throwable failure(Future<?> f) {
        return Conditions.result(f.transform(ar -> Future.succeededFuture(ar.cause())), Duration.ofSeconds(30));
    }

    private static <T> T get(Future<T> f) {
        return Conditions.result(f, Duration.ofSeconds(30));
    }
}
