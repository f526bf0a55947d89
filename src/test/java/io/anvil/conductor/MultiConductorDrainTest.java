package io.anvil.conductor;

import static io.anvil.conductor.MultiConductorFixture.column;
import static io.anvil.conductor.MultiConductorFixture.insertNode;
import static io.anvil.conductor.MultiConductorFixture.ownedBy;
import static io.anvil.testsupport.AnvilCluster.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.cluster.HashRings;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import io.anvil.upkeep.Recovery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 22 of docs/architecture.md#ironic-scenarios: a graceful stop leaves the ring at once (online=false; peers
 * take its nodes), refuses new conductor work (the API answers 503 to writes), waits for running work, and only then
 * stops; the wait is bounded by graceful_shutdown_timeout, after which the peers take over what is still locked.
 */
class MultiConductorDrainTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void gracefulStopDrainsRunningWorkThenLeaves() throws Exception {
        // the shipped 10 s lease, not the tests' 1.5 s: "a live lock" must stay live through a stall of a loaded
        // machine (nothing here waits for a lease to run out)
        try (AnvilCluster cluster = AnvilCluster.start(Map.of("conductor.lock_lease", 10.0), "dr-a", "dr-b", "dr-c");
                Connection db = cluster.jdbc()) {
            Member a = cluster.member("dr-a");
            cluster.await("3 conductors on every ring", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 3));
            HashRings rings = a.anvil().ring().current();
            List<String> ofA = ownedBy(rings, "dr-a", 2, "");
            String busy = ofA.get(0);
            String waiting = ofA.get(1);
            insertNode(db, busy, "available", "");
            insertNode(db, waiting, "wait call-back", "");
            Task work = get(a.anvil()
                    .conductor()
                    .tasks()
                    .acquire(busy, TaskOptions.exclusive("long work").withoutDriver()));
            assertEquals("dr-a", column(db, busy, "reservation"));

            Future<Void> stopped = a.stopAsync();
            cluster.await("dr-a marked offline", () -> Boolean.FALSE.equals(online(db, "dr-a")));
            assertTrue(a.anvil().registry().draining());
            assertFalse(
                    a.anvil().ownership().ownedHere(waiting, "fake-hardware", ""), "a draining conductor owns nothing");

            // no new conductor work: writes get 503 with Ironic's error body; reads still work
            HttpResponse<String> r = send(
                    a,
                    "PUT",
                    "/v1/nodes/" + waiting + "/states/provision",
                    new JsonObject().put("target", "abort").encode());
            assertEquals(503, r.statusCode(), r.body());
            String fault = new JsonObject(new JsonObject(r.body()).getString("error_message")).getString("faultstring");
            assertTrue(fault.contains("shutting down"), fault);
            assertEquals(503, send(a, "PATCH", "/v1/nodes/" + waiting, "[]").statusCode());
            assertEquals(200, send(a, "GET", "/v1/nodes/" + waiting, null).statusCode());
            HttpResponse<String> health = send(a, "GET", "/healthcheck", null);
            assertEquals(503, health.statusCode(), "load balancers take a draining conductor out");
            assertEquals("DRAINING", health.body());
            assertEquals(
                    "OK",
                    send(cluster.member("dr-b"), "GET", "/healthcheck", null).body());

            // peers drop it from their rings and own its nodes while it finishes its work
            Member b = cluster.member("dr-b");
            cluster.await(
                    "dr-b's ring without dr-a",
                    () -> !b.anvil().ring().current().isAlive("dr-a"));
            String newOwner = b.anvil().ring().owner(waiting, "fake-hardware", "");
            assertTrue(List.of("dr-b", "dr-c").contains(newOwner), newOwner);
            assertFalse(stopped.isComplete(), "the stop waits for the running work");
            assertEquals("dr-a", column(db, busy, "reservation"), "nobody takes over a draining conductor's live lock");

            get(work.release());
            get(stopped);
            assertNull(column(db, busy, "reservation"));
            assertEquals("available", column(db, busy, "provision_state"), "finished work is not failed");
            assertEquals("wait call-back", column(db, waiting, "provision_state"));
            assertEquals(Boolean.FALSE, online(db, "dr-a"));
        }
    }

    @Test
    void drainIsBoundedAndPeersTakeOverWhatIsLeft() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of(), "drb-b", "drb-c")) {
            Member d = cluster.startMember("drb-d", Map.of("conductor.graceful_shutdown_timeout", 1.0));
            try (Connection db = cluster.jdbc()) {
                cluster.await("3 conductors on every ring", () -> cluster.running().stream()
                        .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 3));
                String stuck =
                        ownedBy(d.anvil().ring().current(), "drb-d", 1, "").get(0);
                insertNode(db, stuck, "available", "");
                Task never = get(d.anvil()
                        .conductor()
                        .tasks()
                        .acquire(stuck, TaskOptions.exclusive("hung").withoutDriver()));
                get(never.save(Map.of("provision_state", "deploying", "target_provision_state", "active")));

                long t0 = System.nanoTime();
                d.stop();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 900, "stop waited graceful_shutdown_timeout (1 s) for the hung task: " + ms + " ms");
                cluster.await(
                        "the peers take over the node left locked",
                        () -> "deploy failed".equals(column(db, stuck, "provision_state"))
                                && column(db, stuck, "reservation") == null);
                assertEquals(Recovery.TAKEOVER_ABORT, column(db, stuck, "last_error"));
            }
        }
    }

    private static Boolean online(Connection db, String host) {
        try {
            return (Boolean) MultiConductorFixture.query(db, "SELECT online FROM conductors WHERE hostname = ?", host)
                    .get(0)
                    .get("online");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> send(Member m, String method, String path, String body) {
        return io.anvil.testsupport.PlainHttp.call(HTTP, m.port(), "1.78", method, path, body);
    }
}
