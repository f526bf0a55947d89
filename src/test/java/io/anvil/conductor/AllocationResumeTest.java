package io.anvil.conductor;

import static io.anvil.conductor.MultiConductorFixture.exec;
import static io.anvil.conductor.MultiConductorFixture.insertNode;
import static io.anvil.conductor.MultiConductorFixture.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilCluster;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Allocations left {@code allocating} when their conductor stopped (docs/api.md#allocations): a conductor that
 * restarts resumes its own (Ironic's _resume_allocations) and a live conductor takes over those of a dead one
 * (_check_orphan_allocations); each ends {@code active} on a matching node or {@code error} with a clear last_error.
 */
class AllocationResumeTest {

    private static long conductorId(Connection db, String hostname) throws Exception {
        return ((Number) query(db, "SELECT id FROM conductors WHERE hostname = ?", hostname)
                        .get(0)
                        .get("id"))
                .longValue();
    }

    private static String allocating(Connection db, String resourceClass, long affinity) throws Exception {
        String uuid = UUID.randomUUID().toString();
        exec(
                db,
                "INSERT INTO allocations (uuid, state, resource_class, conductor_affinity) VALUES (?::uuid,"
                        + " 'allocating', ?, ?)",
                uuid,
                resourceClass,
                affinity);
        return uuid;
    }

    private static Map<String, Object> allocation(Connection db, String uuid) throws Exception {
        return query(db, "SELECT * FROM allocations WHERE uuid = ?::uuid", uuid).get(0);
    }

    private static void awaitSettled(AnvilCluster cluster, Connection db, String uuid) {
        cluster.await("allocation " + uuid + " processed", () -> {
            try {
                return !"allocating".equals(allocation(db, uuid).get("state"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aRestartedConductorResumesItsAllocationsAndALiveOneTakesOverADeadOnes() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(
                        Map.of("conductor.heartbeat_timeout", 20.0, "conductor.check_allocations_interval", 0.2),
                        "ar-a");
                Connection db = cluster.jdbc()) {
            String node = insertNode(db, UUID.randomUUID().toString(), "available", "");
            exec(db, "UPDATE nodes SET resource_class = 'rc-resume' WHERE uuid = ?::uuid", node);
            long a = conductorId(db, "ar-a");

            // left by ar-a's previous incarnation: resumed when it starts again
            cluster.member("ar-a").kill();
            String matching = allocating(db, "rc-resume", a);
            String unmatched = allocating(db, "rc-none", a);
            cluster.startMember("ar-a", Map.of());
            awaitSettled(cluster, db, matching);
            awaitSettled(cluster, db, unmatched);
            Map<String, Object> done = allocation(db, matching);
            assertEquals("active", done.get("state"), done.toString());
            assertEquals(
                    matching,
                    String.valueOf(query(db, "SELECT allocation_uuid FROM nodes WHERE uuid = ?::uuid", node)
                            .get(0)
                            .get("allocation_uuid")));
            Map<String, Object> failed = allocation(db, unmatched);
            assertEquals("error", failed.get("state"));
            assertEquals(
                    "Failed to process allocation " + unmatched + ": no available nodes match the resource class"
                            + " rc-none.",
                    failed.get("last_error"));

            // left by a conductor that is gone for good: taken over by the periodic check
            exec(db, "INSERT INTO conductors (hostname, online, updated_at) VALUES ('ar-dead', false, now())");
            String orphan = allocating(db, "rc-gone", conductorId(db, "ar-dead"));
            awaitSettled(cluster, db, orphan);
            Map<String, Object> taken = allocation(db, orphan);
            assertEquals("error", taken.get("state"));
            assertEquals(a, ((Number) taken.get("conductor_affinity")).longValue(), "ar-a took it over");
            assertEquals(
                    List.of(),
                    query(db, "SELECT uuid FROM allocations WHERE state = 'allocating'"),
                    "nothing is left allocating");
        }
    }
}
