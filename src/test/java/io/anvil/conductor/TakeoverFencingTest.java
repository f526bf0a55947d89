package io.anvil.conductor;

import static io.anvil.conductor.MultiConductorFixture.column;
import static io.anvil.conductor.MultiConductorFixture.insertNode;
import static io.anvil.conductor.MultiConductorFixture.node;
import static io.anvil.conductor.MultiConductorFixture.ownedBy;
import static io.anvil.testsupport.AnvilCluster.failure;
import static io.anvil.testsupport.AnvilCluster.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.cluster.HashRings;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import io.anvil.upkeep.Recovery;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 23 of docs/architecture.md#ironic-scenarios: conductor A stalls (its only event loop blocked, as in a long
 * GC pause: no keepalive, no lease renewal) while holding a deploy lock on a DEPLOYING node. The survivors see A
 * offline, A's lease expires, the node's owner takes it over and fails it. A then wakes up and tries to save and to
 * release: the save is refused (LeaseLost) and nothing it does changes the row. Ironic would let A overwrite the row.
 */
class TakeoverFencingTest {

    @Test
    void stalledHolderWakesUpAfterTakeOverAndWritesNothing() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of(), "fence-a", "fence-b", "fence-c");
                Connection db = cluster.jdbc()) {
            MultiConductorFixture.installAudit(db);
            Member a = cluster.member("fence-a");
            cluster.await("3 conductors on every ring", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 3));
            HashRings rings = a.anvil().ring().current();
            String x = ownedBy(rings, "fence-a", 1, "").get(0);
            insertNode(db, x, "available", "");
            Task stale = get(a.anvil()
                    .conductor()
                    .tasks()
                    .acquire(x, TaskOptions.exclusive("deploy").withoutDriver()));
            get(stale.save(Map.of("provision_state", "deploying", "target_provision_state", "active")));
            long fenceA = stale.fence();
            assertEquals("fence-a", column(db, x, "reservation"));

            a.stall();
            try {
                cluster.await(
                        "the owner of X on the survivors' ring fails and releases it",
                        () -> "deploy failed".equals(column(db, x, "provision_state"))
                                && column(db, x, "reservation") == null);
            } finally {
                a.resume();
            }
            Map<String, Object> after = node(db, x);
            assertEquals(Recovery.TAKEOVER_ABORT, after.get("last_error"));
            long fenceB = ((Number) after.get("lock_fence")).longValue();
            assertTrue(fenceB > fenceA, "the take-over claimed a newer token");

            // A wakes up: its lease is gone, its save is refused and the row does not move
            Throwable refused = failure(stale.save(Map.of("provision_state", "active", "last_error", "A was here")));
            assertTrue(refused instanceof ConductorErrors.LeaseLost, "expected LeaseLost, got " + refused);
            cluster.await("A notices its lease is lost", () -> !stale.lease().isValid());
            assertFalse(get(stale.lease().release()), "releasing a lost lease reports it was not held");
            get(stale.release());
            assertEquals(after, node(db, x), "nothing A did after waking up changed the row");

            // A comes back to life as a regular member; the oracle holds across the whole story
            cluster.await(
                    "A alive again",
                    () -> cluster.member("fence-b").anvil().ring().current().isAlive("fence-a"));
            List<MultiConductorFixture.Claim> claims = MultiConductorFixture.checkFences(db).stream()
                    .filter(c -> c.uuid().equals(x))
                    .toList();
            assertEquals(2, claims.size(), "claimed by A, then once by a survivor: " + claims);
            assertEquals("fence-a", claims.get(0).holder());
            assertTrue(List.of("fence-b", "fence-c").contains(claims.get(1).holder()), claims.toString());
            assertEquals(fenceB, claims.get(1).fence());
        }
    }
}
