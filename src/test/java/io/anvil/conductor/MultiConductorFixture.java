package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.anvil.cluster.HashRings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Shared by the multi-conductor tests: nodes inserted over JDBC, node rows read back, node UUIDs chosen by ring
 * owner, and the fencing oracle — a trigger logging every UPDATE of {@code nodes} (old/new fence and reservation)
 * so a test can prove that fences only grow and that no write came from a holder after a newer claim.
 */
final class MultiConductorFixture {
    static final String DRIVER = "fake-hardware";

    private MultiConductorFixture() {}

    /** Inserts a fake-hardware node in {@code state}; returns its UUID. */
    static String insertNode(Connection c, String uuid, String state, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (uuid, driver, provision_state, power_state,"
                + " conductor_group, boot_interface, deploy_interface, inspect_interface, management_interface,"
                + " power_interface, rescue_interface, vendor_interface, console_interface, raid_interface, bios_interface,"
                + " storage_interface, network_interface) VALUES (?::uuid, ?, ?, 'power off', ?, 'fake', 'fake', 'fake',"
                + " 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'noop', 'noop')")) {
            ps.setString(1, uuid);
            ps.setString(2, DRIVER);
            ps.setString(3, state);
            ps.setString(4, group);
            ps.executeUpdate();
        }
        return uuid;
    }

    static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    static Map<String, Object> node(Connection c, String uuid) throws SQLException {
        List<Map<String, Object>> rows = query(c, "SELECT * FROM nodes WHERE uuid = ?::uuid", uuid);
        assertEquals(1, rows.size(), "node " + uuid);
        return rows.get(0);
    }

    static List<Map<String, Object>> query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        row.put(
                                md.getColumnLabel(i),
                                v == null
                                        ? null
                                        : v instanceof UUID
                                                        || v.getClass()
                                                                .getName()
                                                                .startsWith("org.postgresql")
                                                ? v.toString()
                                                : v);
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    /** Reads one column of one node, for polling. */
    static Object column(Connection c, String uuid, String column) {
        try {
            return node(c, uuid).get(column);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code n} random UUIDs whose owner on {@code rings} is {@code host}. */
    static List<String> ownedBy(HashRings rings, String host, int n, String group) {
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            String u = UUID.randomUUID().toString();
            if (host.equals(rings.owner(u, DRIVER, group))) {
                out.add(u);
            }
        }
        return out;
    }

    // ---- fencing oracle ----

    /** Logs every UPDATE of nodes: old and new fence, old and new reservation, new state. */
    static void installAudit(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE node_audit (id BIGSERIAL PRIMARY KEY, uuid UUID, old_fence BIGINT, new_fence BIGINT,"
                            + " old_res TEXT, new_res TEXT, state TEXT, last_error TEXT, at TIMESTAMPTZ DEFAULT clock_timestamp())");
            s.execute(
                    "CREATE FUNCTION audit_nodes() RETURNS trigger AS $$ BEGIN INSERT INTO node_audit (uuid, old_fence,"
                            + " new_fence, old_res, new_res, state, last_error) VALUES (NEW.uuid, OLD.lock_fence, NEW.lock_fence,"
                            + " OLD.reservation, NEW.reservation, NEW.provision_state, NEW.last_error); RETURN NEW; END $$"
                            + " LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER nodes_audit AFTER UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION audit_nodes()");
        }
    }

    /** One claim (fence raised) of a node: who took it with which token. */
    record Claim(String uuid, long fence, String holder, long auditId) {}

    /**
     * Checks the oracle over every logged write and returns the claims: per node the fence never decreases, every
     * write either raises the fence (a claim, by the new reservation holder) or keeps it (a write by that fence's
     * holder, the only one allowed by {@code lock_fence = token}), and each token is claimed once.
     */
    static List<Claim> checkFences(Connection c) throws SQLException {
        List<Map<String, Object>> rows = query(c, "SELECT * FROM node_audit ORDER BY id");
        Map<String, Long> last = new HashMap<>();
        Map<String, String> holderOf = new HashMap<>();
        List<Claim> claims = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            String uuid = (String) r.get("uuid");
            long oldF = ((Number) r.get("old_fence")).longValue();
            long newF = ((Number) r.get("new_fence")).longValue();
            Long prev = last.get(uuid);
            if (prev != null && oldF != prev) {
                fail("audit gap for " + uuid + ": " + r);
            }
            assertTrue(newF >= oldF, "fence went backwards on node " + uuid + ": " + r);
            if (newF > oldF) {
                String holder = (String) r.get("new_res");
                assertTrue(holder != null, "a claim sets the reservation: " + r);
                String key = uuid + "#" + newF;
                assertTrue(holderOf.putIfAbsent(key, holder) == null, "fence " + newF + " claimed twice on " + uuid);
                claims.add(new Claim(uuid, newF, holder, ((Number) r.get("id")).longValue()));
            }
            last.put(uuid, newF);
        }
        return claims;
    }

    static long maxAuditId(Connection c) throws SQLException {
        Object v = query(c, "SELECT coalesce(max(id), 0) AS m FROM node_audit")
                .get(0)
                .get("m");
        return ((Number) v).longValue();
    }
}
