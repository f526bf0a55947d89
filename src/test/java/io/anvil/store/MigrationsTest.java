package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationsTest {

    @Test
    void schemaHasEveryTableAndIsIdempotent() throws Exception {
        DatabaseUrl db = TestServices.freshDatabase();
        Set<String> tables = new HashSet<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String t : new String[] {
            "nodes",
            "ports",
            "portgroups",
            "volume_connectors",
            "volume_targets",
            "conductors",
            "events",
            "node_history"
        }) {
            assertTrue(tables.contains(t), "missing table " + t + " in " + tables);
        }
        assertEquals(0, Migrations.migrate(db), "a second run applies nothing");
    }
}
