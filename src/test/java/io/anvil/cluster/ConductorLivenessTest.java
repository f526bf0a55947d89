package io.anvil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A conductor's liveness lock in PostgreSQL (docs/scale-out.md#take-over): a conductor whose database session ends
 * leaves its peers' rings at their next liveness poll, long before its keepalive times out; one that loses its own
 * liveness connection steps back (owns nothing) and rejoins once it holds its lock again. The keepalive timeout is
 * 300 s here, so nothing below can be the keepalive's doing.
 */
class ConductorLivenessTest {
    private static final Map<String, Object> KEEPALIVE_FAR_AWAY =
            Map.of("conductor.heartbeat_timeout", 300.0, "conductor.liveness_poll_interval", 0.2);
    /** Small pools, open early: refusing new connections below must not starve them. */
    private static final Map<String, Object> SMALL_POOLS =
            Map.of("database.pool_size", 2, "database.pipelined_size", 1);

    @Test
    void aKilledConductorLeavesItsPeersRingsLongBeforeItsKeepaliveTimesOut() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(
                        with(KEEPALIVE_FAR_AWAY, "conductor.hash_ring_reset_interval", 120.0), "live-a", "live-b");
                Connection db = cluster.jdbc()) {
            Member a = cluster.member("live-a");
            AnvilCluster.get(a.anvil().ring().refresh()); // live-b registered after live-a's first read
            assertTrue(a.anvil().ring().current().isAlive("live-b"));
            cluster.await("live-b's liveness lock held", () -> lockHolder(db, "live-b") > 0);
            long b = conductorId(db, "live-b");
            // only a lock seen held can be seen going free: a conductor killed before any poll saw it is left to
            // the keepalive
            cluster.await(
                    "live-a's poll has seen live-b's lock held",
                    () -> a.anvil().registry().watchesLivenessOf(b));

            cluster.member("live-b").kill(); // its connections close, as the operating system closes a killed one's
            // the next periodic ring refresh is 120 s away and the keepalive timeout 300 s
            cluster.await(
                    "live-b dropped from live-a's rings",
                    Duration.ofSeconds(60),
                    () -> !a.anvil().ring().current().isAlive("live-b"));
            assertFalse(online(db, "live-b"), "a survivor marked it offline");
            assertEquals(java.util.Set.of("live-a"), a.anvil().ring().current().aliveHosts());
        }
    }

    @Test
    void aConductorThatLosesItsLivenessConnectionStepsBackAndRejoins() throws Exception {
        try (AnvilCluster cluster =
                        AnvilCluster.create(with(KEEPALIVE_FAR_AWAY, "conductor.hash_ring_reset_interval", 0.5));
                Connection db = cluster.jdbc()) {
            Member a = cluster.startMember("back-a", SMALL_POOLS);
            Member b = cluster.startMember("back-b", SMALL_POOLS);
            cluster.await(
                    "back-a's rings see back-b",
                    () -> a.anvil().ring().current().isAlive("back-b"));
            cluster.await("back-b's liveness lock held", () -> lockHolder(db, "back-b") > 0);
            int firstSession = lockHolder(db, "back-b");
            assertTrue(b.anvil().registry().mayOwn());
            assertEquals(
                    "anvil liveness back-b",
                    queryString(db, "SELECT application_name FROM pg_stat_activity WHERE pid = " + firstSession),
                    "operators can tell the liveness connection");

            String name = cluster.database().database();
            io.anvil.store.DatabaseUrl postgres = cluster.database().withDatabase("postgres");
            try (Connection admin =
                    DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
                // back-b cannot open its liveness connection again for now; the open pool connections stay
                execute(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
                execute(db, "SELECT pg_terminate_backend(" + firstSession + ")");
                cluster.await(
                        "back-b knows it lost its liveness",
                        () -> b.anvil().registry().livenessLost());
                assertFalse(b.anvil().registry().mayOwn(), "it owns no node while peers may count it dead");
                cluster.await(
                        "back-a dropped back-b from its rings",
                        Duration.ofSeconds(60),
                        () -> !a.anvil().ring().current().isAlive("back-b"));
                assertFalse(online(db, "back-b"), "marked offline, and its own keepalive did not claim otherwise");
            } finally {
                try (Connection admin =
                        DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password())) {
                    execute(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
                }
            }

            cluster.await(
                    "back-b holds its liveness lock again, on a new session",
                    () -> lockHolder(db, "back-b") > 0 && lockHolder(db, "back-b") != firstSession);
            cluster.await(
                    "back-b may own nodes again", () -> b.anvil().registry().mayOwn());
            assertTrue(online(db, "back-b"), "it registered again");
            cluster.await(
                    "back-a's rings see back-b again",
                    () -> a.anvil().ring().current().isAlive("back-b"));
            cluster.await(
                    "back-b's own rings see itself",
                    () -> b.anvil().ring().current().isAlive("back-b"));
            assertNotEquals(firstSession, lockHolder(db, "back-b"));
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    /** The backend pid holding {@code hostname}'s liveness lock in this database, or 0. */
    private static int lockHolder(Connection db, String hostname) {
        try (PreparedStatement ps = db.prepareStatement("SELECT l.pid FROM pg_locks l JOIN conductors c ON"
                + " l.objid::bigint = c.id WHERE c.hostname = ? AND l.locktype = 'advisory' AND l.granted"
                + " AND l.objsubid = 2 AND l.classid::bigint = ? AND l.database = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database())")) {
            ps.setString(1, hostname);
            ps.setLong(2, LivenessLock.LOCK_CLASS);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The conductors.id of {@code hostname}. */
    static long conductorId(Connection db, String hostname) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT id FROM conductors WHERE hostname = ?")) {
            ps.setString(1, hostname);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no conductor " + hostname);
                return rs.getLong(1);
            }
        }
    }

    private static boolean online(Connection db, String hostname) throws SQLException {
        return queryBoolean(db, "SELECT online FROM conductors WHERE hostname = ?", hostname);
    }

    private static String queryString(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static boolean queryBoolean(Connection db, String sql, String hostname) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, hostname);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no conductor " + hostname);
                return rs.getBoolean(1);
            }
        }
    }

    private static void execute(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }
}
