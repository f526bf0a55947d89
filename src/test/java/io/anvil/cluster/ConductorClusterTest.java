package io.anvil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Three conductors on one PostgreSQL and one Redis: registration, keepalive, offline detection, GET /v1/conductors,
 * conductor groups, and every conductor and every API agreeing on each node's owner
 * (docs/architecture.md#ironic-scenarios, scenario 21).
 */
class ConductorClusterTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * With a ring refresh far longer than the heartbeat timeout, a killed conductor still leaves the survivors' rings
     * right after its timeout: each survivor refreshes at the instant a silent peer expires.
     */
    @Test
    void deathIsSeenAtTheHeartbeatTimeoutNotAtTheNextRingRefresh() throws Exception {
        // keepalive only (no liveness lock): the path of a hung process or a lost host, which closes no socket
        try (AnvilCluster cluster = AnvilCluster.start(
                Map.of("conductor.hash_ring_reset_interval", 120.0, "conductor.liveness_poll_interval", 0),
                "exp-a",
                "exp-b")) {
            Member a = cluster.member("exp-a");
            // exp-b registered after exp-a's first read of the table: one explicit refresh shows it
            AnvilCluster.get(a.anvil().ring().refresh());
            assertTrue(a.anvil().ring().current().isAlive("exp-b"));
            cluster.member("exp-b").kill();
            // fast defaults: keepalive 0.2 s, timeout 1 s; the next periodic refresh is up to 120 s away
            cluster.await(
                    "exp-b dropped from exp-a's rings by its keepalive timeout, not by the 120 s refresh",
                    () -> !a.anvil().ring().current().isAlive("exp-b"));
        }
    }

    @Test
    void registrationKeepaliveAndOfflineDetection() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of(), "cond-a", "cond-b", "cond-c");
                Connection db = cluster.jdbc()) {
            Member a = cluster.member("cond-a");
            cluster.await(
                    "cond-a's API sees 3 conductors",
                    () -> get(a, "/v1/conductors").getJsonArray("conductors").size() == 3);
            JsonArray list = get(a, "/v1/conductors").getJsonArray("conductors");
            assertEquals(3, list.size(), list.encode());
            for (Object o : list) {
                JsonObject c = (JsonObject) o;
                assertTrue(c.getBoolean("alive"), c.encode());
                assertEquals("", c.getString("conductor_group"));
            }
            // the keepalive moves updated_at forward
            Timestamp first = updatedAt(db, "cond-c");
            cluster.await("cond-c keepalive", () -> updatedAt(db, "cond-c").after(first));

            long c3 = ConductorLivenessTest.conductorId(db, "cond-c");
            cluster.await(
                    "cond-a's liveness poll has seen cond-c's lock held",
                    () -> a.anvil().registry().watchesLivenessOf(c3));
            cluster.member("cond-c").kill();
            // abrupt death: it never unregistered, but its database session ended with it: a survivor marks it
            // offline at its next liveness poll (docs/scale-out.md#take-over), and everyone sees it dead (the 1 s
            // keepalive timeout here may say so first)
            cluster.await("cond-c marked offline by a survivor", () -> Boolean.FALSE.equals(online(db, "cond-c")));
            cluster.await("cond-c not alive in GET /v1/conductors of cond-a", () -> !alive(a, "cond-c"));
            assertTrue(alive(a, "cond-b"));
            JsonObject c = get(a, "/v1/conductors/cond-c");
            assertEquals(false, c.getBoolean("alive"));
            cluster.await("rings of cond-a and cond-b without cond-c", () -> cluster.running().stream()
                    .allMatch(
                            m -> m.anvil().ring().current().aliveHosts().equals(java.util.Set.of("cond-a", "cond-b"))));

            // a clean stop marks the row offline at once
            cluster.member("cond-b").stop();
            assertEquals(Boolean.FALSE, online(db, "cond-b"));
            cluster.await("cond-b not alive", () -> !alive(a, "cond-b"));
        }
    }

    @Test
    void everyConductorAndEveryApiAgreeOnOwners() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of(), "agree-a", "agree-b", "agree-c");
                Connection db = cluster.jdbc()) {
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                uuids.add(insert(db, UUID.randomUUID().toString(), ""));
            }
            cluster.await("all rings see 3 conductors", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 3));
            Map<String, Integer> perOwner = new HashMap<>();
            for (String u : uuids) {
                String owner = null;
                int owners = 0;
                for (Member m : cluster.running()) {
                    String o = m.anvil().ring().owner(u, "fake-hardware", "");
                    assertNotNull(o);
                    owner = owner == null ? o : owner;
                    assertEquals(owner, o, "conductors disagree on " + u);
                    if (m.anvil().ownership().ownedHere(u, "fake-hardware", "")) {
                        owners++;
                    }
                }
                assertEquals(1, owners, "exactly one conductor owns " + u);
                perOwner.merge(owner, 1, Integer::sum);
            }
            assertEquals(3, perOwner.size(), "300 nodes spread over the 3 conductors: " + perOwner);
            // the API of every conductor names the same owner in the node's conductor field (1.49+)
            for (Member m : cluster.running()) {
                for (String u : uuids.subList(0, 30)) {
                    String expected = cluster.running().get(0).anvil().ring().owner(u, "fake-hardware", "");
                    assertEquals(
                            expected, get(m, "/v1/nodes/" + u).getString("conductor"), "API of " + m + " for " + u);
                }
            }

            // ?conductor= pages stay full (the filter is applied while paging, not after the LIMIT) and, followed
            // through next, list exactly the nodes that conductor owns
            Member first = cluster.running().get(0);
            java.util.Set<String> listed = new java.util.HashSet<>();
            String path = "/v1/nodes?conductor=agree-b&limit=10";
            while (path != null) {
                JsonObject page = get(first, path);
                JsonArray nodes = page.getJsonArray("nodes");
                nodes.forEach(n -> listed.add(((JsonObject) n).getString("uuid")));
                String next = page.getString("next");
                if (next != null) {
                    assertEquals(10, nodes.size(), "a page with a next link is full");
                }
                path = next == null ? null : next.substring(next.indexOf("/v1/"));
            }
            java.util.Set<String> ownedByB = new java.util.HashSet<>();
            uuids.forEach(u -> {
                if ("agree-b".equals(first.anvil().ring().owner(u, "fake-hardware", ""))) {
                    ownedByB.add(u);
                }
            });
            assertEquals(ownedByB, listed);

            // one conductor dies: its nodes move to the survivors, the survivors' nodes stay where they were
            Map<String, String> before = new HashMap<>();
            uuids.forEach(
                    u -> before.put(u, cluster.member("agree-a").anvil().ring().owner(u, "fake-hardware", "")));
            cluster.member("agree-b").kill();
            cluster.await("survivors drop agree-b", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 2));
            int moved = 0;
            for (String u : uuids) {
                String now = cluster.member("agree-a").anvil().ring().owner(u, "fake-hardware", "");
                assertEquals(now, cluster.member("agree-c").anvil().ring().owner(u, "fake-hardware", ""));
                if (before.get(u).equals("agree-b")) {
                    moved++;
                    assertTrue(!now.equals("agree-b"));
                } else {
                    assertEquals(before.get(u), now, "a survivor's node moved: " + u);
                }
            }
            assertEquals(perOwner.get("agree-b"), moved);
            cluster.await("API of agree-c follows", () -> uuids.subList(0, 30).stream()
                    .allMatch(u -> Objects.equals(
                            get(cluster.member("agree-c"), "/v1/nodes/" + u).getString("conductor"),
                            cluster.member("agree-c").anvil().ring().owner(u, "fake-hardware", ""))));
        }
    }

    @Test
    void nodesOfAGroupAreNeverOwnedOutsideIt() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.create(Map.of());
                Connection db = cluster.jdbc()) {
            cluster.startMember("grp-a", Map.of());
            cluster.startMember("grp-b", Map.of());
            cluster.startMember("grp-r1", Map.of("conductor.group", "Rack-1"));
            cluster.startMember("grp-r2", Map.of("conductor.group", "rack-1"));
            List<String> rack = new ArrayList<>();
            List<String> plain = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                rack.add(insert(db, UUID.randomUUID().toString(), "rack-1"));
                plain.add(insert(db, UUID.randomUUID().toString(), ""));
            }
            cluster.await("4 conductors alive everywhere", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 4));
            for (Member m : cluster.running()) {
                for (String u : rack) {
                    assertTrue(List.of("grp-r1", "grp-r2")
                            .contains(m.anvil().ring().owner(u, "fake-hardware", "RACK-1")));
                }
                for (String u : plain) {
                    assertTrue(
                            List.of("grp-a", "grp-b").contains(m.anvil().ring().owner(u, "fake-hardware", "")));
                }
            }
            assertEquals(
                    "rack-1",
                    get(cluster.member("grp-a"), "/v1/conductors/grp-r2").getString("conductor_group"));
            cluster.member("grp-r1").kill();
            cluster.member("grp-r2").kill();
            cluster.await("rack-1 conductors gone", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 2));
            for (String u : rack) {
                assertNull(
                        cluster.member("grp-a").anvil().ring().owner(u, "fake-hardware", "rack-1"),
                        "no conductor of rack-1 is alive: nobody outside the group may own " + u);
                assertTrue(!cluster.member("grp-b").anvil().ownership().ownedHere(u, "fake-hardware", "rack-1"));
            }
            cluster.await(
                    "API shows no conductor for rack-1 nodes",
                    () -> get(cluster.member("grp-b"), "/v1/nodes/" + rack.get(0))
                                    .getValue("conductor")
                            == null);
        }
    }

    // ---- helpers ----

    static JsonObject get(Member m, String path) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + path))
                            .header("X-OpenStack-Ironic-API-Version", "1.78")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path + " -> " + r.body());
            return new JsonObject(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean alive(Member m, String host) {
        return get(m, "/v1/conductors/" + host).getBoolean("alive");
    }

    private static Timestamp updatedAt(Connection db, String host) {
        return (Timestamp) column(db, host, "updated_at");
    }

    private static Boolean online(Connection db, String host) {
        return (Boolean) column(db, host, "online");
    }

    private static Object column(Connection db, String host, String col) {
        try (PreparedStatement ps = db.prepareStatement("SELECT " + col + " FROM conductors WHERE hostname = ?")) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getObject(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    static String insert(Connection db, String uuid, String group) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO nodes (uuid, driver, provision_state,"
                + " conductor_group, deploy_interface, power_interface, management_interface, boot_interface)"
                + " VALUES (?::uuid, 'fake-hardware', 'enroll', ?, 'fake', 'fake', 'fake', 'fake')")) {
            ps.setString(1, uuid);
            ps.setString(2, group);
            ps.executeUpdate();
        }
        return uuid;
    }
}
