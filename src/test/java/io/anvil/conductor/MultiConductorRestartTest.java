package io.anvil.conductor;

import static io.anvil.conductor.MultiConductorFixture.column;
import static io.anvil.conductor.MultiConductorFixture.insertNode;
import static io.anvil.conductor.MultiConductorFixture.node;
import static io.anvil.conductor.MultiConductorFixture.ownedBy;
import static io.anvil.testsupport.AnvilCluster.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.cluster.HashRings;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import io.anvil.upkeep.Recovery;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 19 of docs/architecture.md#ironic-scenarios: a conductor is killed and restarts at once with the same
 * hostname, before anyone considers it offline. Its old reservations (any case) are cleared under the lock once its
 * previous incarnation's leases expire, a pending power target gets "Pending power operation was aborted due to
 * conductor restart", and every unreserved node it owns in a STUCK_STATES_TREATED_AS_FAIL state moves to its fail state
 * with "The &lt;state&gt; state can't be resumed by conductor &lt;host&gt;. Moving to fail state." Nodes owned by the
 * other conductor are not touched.
 */
class MultiConductorRestartTest {
    private static final Map<String, String> FAIL_STATE = new LinkedHashMap<>();

    static {
        FAIL_STATE.put("deploying", "deploy failed");
        FAIL_STATE.put("cleaning", "clean failed");
        FAIL_STATE.put("verifying", "enroll");
        FAIL_STATE.put("inspecting", "inspect failed");
        FAIL_STATE.put("adopting", "adopt failed");
        FAIL_STATE.put("rescuing", "rescue failed");
        FAIL_STATE.put("unrescuing", "unrescue failed");
        FAIL_STATE.put("deleting", "error");
        FAIL_STATE.put("servicing", "service failed");
    }

    @Test
    void restartWithTheSameHostnameCorrectsStuckStates() throws Exception {
        // a long heartbeat timeout: the peer must not see the restarting conductor offline (no take-over here)
        try (AnvilCluster cluster = AnvilCluster.start(Map.of("conductor.heartbeat_timeout", 20.0), "rs-a", "rs-b");
                Connection db = cluster.jdbc()) {
            Member a = cluster.member("rs-a");
            cluster.await("2 conductors on every ring", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 2));
            HashRings rings = a.anvil().ring().current();
            List<String> ofA = ownedBy(rings, "rs-a", FAIL_STATE.size() + 3, "");
            String deploying = ofA.get(0);
            String power = ofA.get(1);
            String upper = ofA.get(2);
            for (String u : List.of(deploying, power, upper)) {
                insertNode(db, u, "available", "");
            }
            Task t1 = get(a.anvil()
                    .conductor()
                    .tasks()
                    .acquire(deploying, TaskOptions.exclusive("deploy").withoutDriver()));
            get(t1.save(Map.of("provision_state", "deploying", "target_provision_state", "active")));
            Task t2 = get(a.anvil()
                    .conductor()
                    .tasks()
                    .acquire(power, TaskOptions.exclusive("power").withoutDriver()));
            get(t2.save(Map.of("provision_state", "active", "target_power_state", "power off")));
            MultiConductorFixture.exec(db, "UPDATE nodes SET reservation = 'RS-A' WHERE uuid = ?::uuid", upper);
            Map<String, String> stuck = new LinkedHashMap<>();
            int i = 3;
            for (String state : FAIL_STATE.keySet()) {
                String u = ofA.get(i++);
                insertNode(db, u, state, "");
                stuck.put(u, state);
            }
            String ofB = ownedBy(rings, "rs-b", 1, "").get(0);
            insertNode(db, ofB, "deploying", "");

            a.kill();
            Member again = cluster.startMember("rs-a", Map.of());
            var result = get(again.anvil().stuckStates());
            assertEquals(3, result.reservationsCleared(), result.toString());
            assertEquals(1, result.powerCleared(), result.toString());
            assertEquals(FAIL_STATE.size() + 1, result.failed(), result.toString());

            Map<String, Object> n = node(db, deploying);
            assertEquals("deploy failed", n.get("provision_state"));
            assertEquals(
                    "The deploying state can't be resumed by conductor rs-a. Moving to fail state.",
                    n.get("last_error"));
            assertNull(n.get("reservation"));

            n = node(db, power);
            assertEquals("active", n.get("provision_state"));
            assertNull(n.get("target_power_state"));
            assertEquals(Recovery.RESTART_POWER, n.get("last_error"));
            assertNull(n.get("reservation"));

            assertNull(column(db, upper, "reservation"), "reservations match the hostname case-insensitively");
            assertEquals("available", column(db, upper, "provision_state"));

            stuck.forEach((u, state) -> {
                assertEquals(FAIL_STATE.get(state), column(db, u, "provision_state"), state);
                assertEquals(
                        "The " + state + " state can't be resumed by conductor rs-a. Moving to fail state.",
                        column(db, u, "last_error"));
            });
            assertEquals("deploying", column(db, ofB, "provision_state"), "a node of rs-b is rs-b's business");
            assertTrue(cluster.member("rs-b").anvil().ring().current().isAlive("rs-a"));
            // the stale tasks of the previous incarnation cannot write
            assertEquals(
                    0,
                    MultiConductorFixture.update(
                            db,
                            "UPDATE nodes SET last_error = 'stale' WHERE uuid = ?::uuid" + " AND lock_fence = ?",
                            deploying,
                            t1.fence()));
        }
    }
}
