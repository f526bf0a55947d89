package io.anvil.bench;

import io.anvil.cluster.HashRing;
import io.anvil.cluster.HashRings;
import io.anvil.conductor.Task;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.TaskOptions;
import io.anvil.config.AnvilConfig;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.upkeep.PowerSync;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench sync}: how the conductors share 10,000 nodes and how fast a dead conductor's nodes are taken
 * over.
 * <ol>
 *   <li>Ring spread: 10,000 random nodes over 3 conductors with 2^5 (Ironic's default), 2^7 and 2^10 points per
 *       conductor: each conductor's share, and the fraction of nodes that move when one conductor dies or joins.</li>
 *   <li>Take-over: three conductors on one PostgreSQL and Redis with 10,000 nodes; conductor A locks every node it
 *       owns (~1/3) and puts it in DEPLOYING, then is killed (keepalive and lease renewals stop). Measured from the
 *       kill: when the survivors' rings drop A, and when every one of A's nodes is released and failed
 *       ("Operation was aborted due to conductor take over"). Detection takes one liveness poll (its database
 *       session ended with it: conductor.liveness_poll_interval), heartbeat_timeout at most; the nodes are taken
 *       only once its locks freed themselves after the lease, however early it is seen dead.</li>
 * </ol>
 * Prints a table and writes {@code target/bench/sync.json}. The take-over runs on the shipped defaults
 * (conductor.heartbeat_interval, heartbeat_timeout, hash_ring_reset_interval, lock_lease); {@code -Dbench.nodes},
 * {@code -Dbench.timeout} (s), {@code -Dbench.lease} (s) override them; {@code -Dbench.sections=takeover} (a
 * comma-separated subset of spread, takeover, powersync) runs only those sections.
 */
public final class SyncBench {
    private SyncBench() {}

    public static void main(String[] args) throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 10_000);
        AnvilConfig.Conductor shipped = AnvilConfig.of(Map.of()).conductor();
        double timeout =
                Double.parseDouble(System.getProperty("bench.timeout", String.valueOf(shipped.heartbeatTimeout())));
        double lease = Double.parseDouble(System.getProperty("bench.lease", String.valueOf(shipped.lockLease())));
        BenchTable table = new BenchTable("sync", "section", "case", "value", "unit", "note")
                .meta("nodes", nodes)
                .meta("conductors", 3)
                .meta("heartbeat_timeout_s", timeout)
                .meta("lock_lease_s", lease);
        String sections = System.getProperty("bench.sections", "spread,takeover,powersync");
        if (sections.contains("spread")) {
            ringSpread(table, nodes);
        }
        if (sections.contains("takeover")) {
            takeOver(table, nodes, timeout, lease);
        }
        if (sections.contains("powersync")) {
            powerSyncPass(table, nodes);
        }
        table.finish();
        System.exit(0);
    }

    // ---- 1. ring spread (pure computation) ----

    private static void ringSpread(BenchTable table, int n) {
        Random rnd = new Random(2024);
        List<String> uuids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uuids.add(new UUID(rnd.nextLong(), rnd.nextLong()).toString());
        }
        List<String> three = List.of("conductor-1", "conductor-2", "conductor-3");
        for (int exp : new int[] {5, 7, 10}) {
            int parts = 1 << exp;
            HashRing ring = new HashRing(three, parts);
            Map<String, Integer> share = new TreeMap<>();
            long t0 = System.nanoTime();
            for (String u : uuids) {
                share.merge(ring.owner(u), 1, Integer::sum);
            }
            double lookupUs = (System.nanoTime() - t0) / 1000.0 / n;
            StringBuilder detail = new StringBuilder();
            share.forEach((h, c) -> detail.append(h).append('=').append(c).append(' '));
            int min = share.values().stream().min(Integer::compare).orElse(0);
            int max = share.values().stream().max(Integer::compare).orElse(0);
            table.row(row(
                    "spread",
                    parts + " points/conductor: min share",
                    100.0 * min / n,
                    "%",
                    detail.toString().trim()));
            table.row(row(
                    "spread",
                    parts + " points/conductor: max share",
                    100.0 * max / n,
                    "%",
                    String.format("lookup %.2f us/node", lookupUs)));
            HashRing two = new HashRing(List.of("conductor-1", "conductor-3"), parts);
            HashRing four = new HashRing(List.of("conductor-1", "conductor-2", "conductor-3", "conductor-4"), parts);
            int movedDeath = 0;
            int movedJoin = 0;
            for (String u : uuids) {
                String o = ring.owner(u);
                movedDeath += o.equals(two.owner(u)) ? 0 : 1;
                movedJoin += o.equals(four.owner(u)) ? 0 : 1;
            }
            table.row(row(
                    "spread",
                    parts + " points: moved when 1 of 3 dies",
                    100.0 * movedDeath / n,
                    "%",
                    "= conductor-2's share; ideal 33.3"));
            table.row(
                    row("spread", parts + " points: moved when a 4th joins", 100.0 * movedJoin / n, "%", "ideal 25.0"));
        }
    }

    // ---- 2. take-over of a dead conductor's nodes ----

    private static void takeOver(BenchTable table, int n, double timeout, double lease) throws Exception {
        AnvilConfig.Conductor shipped = AnvilConfig.of(Map.of()).conductor();
        double interval = Math.min(shipped.heartbeatInterval(), timeout / 5);
        double refresh = shipped.hashRingResetInterval();
        Map<String, Object> cfg = Map.of(
                "conductor.heartbeat_interval",
                interval,
                "conductor.heartbeat_timeout",
                timeout,
                "conductor.hash_ring_reset_interval",
                refresh,
                "conductor.lock_lease",
                lease,
                "database.pool_size",
                8);
        try (AnvilCluster cluster = AnvilCluster.start(cfg, "sync-a", "sync-b", "sync-c");
                Connection db = cluster.jdbc()) {
            insertNodes(db, n);
            cluster.await("3 conductors on every ring", () -> cluster.running().stream()
                    .allMatch(m -> m.anvil().ring().current().aliveHosts().size() == 3));
            Member a = cluster.member("sync-a");
            HashRings rings = a.anvil().ring().current();
            List<String> ofA = new ArrayList<>();
            try (Statement s = db.createStatement();
                    ResultSet rs = s.executeQuery("SELECT uuid::text FROM nodes")) {
                while (rs.next()) {
                    if ("sync-a".equals(rings.owner(rs.getString(1), "fake-hardware", ""))) {
                        ofA.add(rs.getString(1));
                    }
                }
            }
            long t0 = System.nanoTime();
            lockAll(a.anvil().conductor().tasks(), ofA);
            double lockMs = (System.nanoTime() - t0) / 1e6;
            try (Statement s = db.createStatement()) {
                s.executeUpdate("UPDATE nodes SET provision_state = 'deploying', target_provision_state = 'active'"
                        + " WHERE reservation = 'sync-a'");
            }
            table.row(row(
                    "take-over",
                    "nodes owned and locked by A",
                    ofA.size(),
                    "nodes",
                    String.format("locked in %.0f ms", lockMs)));

            long kill = System.nanoTime();
            a.kill();
            Member b = cluster.member("sync-b");
            Member c = cluster.member("sync-c");
            cluster.await(
                    "survivors drop A",
                    AnvilCluster.WAIT.multipliedBy(4),
                    () -> !b.anvil().ring().current().isAlive("sync-a")
                            && !c.anvil().ring().current().isAlive("sync-a"));
            double detectMs = (System.nanoTime() - kill) / 1e6;
            cluster.await(
                    "all of A's nodes taken over",
                    AnvilCluster.WAIT.multipliedBy(10),
                    () -> count(
                                    db,
                                    "SELECT count(*) FROM nodes WHERE reservation IS NOT NULL OR provision_state = 'deploying'")
                            == 0);
            double doneMs = (System.nanoTime() - kill) / 1e6;
            long failed = count(
                    db,
                    "SELECT count(*) FROM nodes WHERE provision_state = 'deploy failed' AND last_error ="
                            + " 'Operation was aborted due to conductor take over'");
            long byB = count(
                    db,
                    "SELECT count(DISTINCT node_uuid) FROM events WHERE publisher = 'anvil-conductor.sync-b'"
                            + " AND event_type LIKE 'baremetal.node.provision_set.%'");
            long byC = count(
                    db,
                    "SELECT count(DISTINCT node_uuid) FROM events WHERE publisher = 'anvil-conductor.sync-c'"
                            + " AND event_type LIKE 'baremetal.node.provision_set.%'");
            table.row(row(
                    "take-over",
                    "kill -> survivors' rings drop A",
                    detectMs,
                    "ms",
                    "its liveness lock free at a survivor's poll (every "
                            + shipped.livenessPollInterval() + " s); at most heartbeat_timeout " + timeout
                            + " s (keepalive every " + interval + " s) + ring refresh " + refresh + " s"));
            table.row(row(
                    "take-over",
                    "kill -> all of A's nodes released and failed",
                    doneMs,
                    "ms",
                    "lease " + lease + " s (overlaps detection)"));
            table.row(row(
                    "take-over",
                    "take-over work after detection",
                    doneMs - detectMs,
                    "ms",
                    String.format(
                            "%.0f nodes/s; includes the wait for A's leases (up to lock_lease after the kill)",
                            ofA.size() / Math.max(0.001, (doneMs - detectMs) / 1000))));
            table.row(row(
                    "take-over",
                    "failed with the take-over message",
                    failed,
                    "nodes",
                    "by sync-b " + byB + ", by sync-c " + byC));
        }
    }

    // ---- 3. one full power-sync pass over N ipmi nodes on simulated BMCs (a child JVM) ----

    /**
     * Capacity of one pass: the conductor's PowerSync with the spread window shrunk to 1 ms (a production pass
     * is spread over sync_power_state_interval on purpose) and 256 checks in flight. Each check is a try-once
     * shared lock, a read of the node, and Get Chassis Status over a new RMCP+ session (suite 17), all through the
     * per-BMC governor. The simulated BMCs start powered off, like the recorded state, so nothing is corrected.
     */
    private static void powerSyncPass(BenchTable table, int n) throws Exception {
        int basePort = 30000;
        try (IpmiBench.Sim sim = IpmiBench.Sim.start(n, basePort);
                AnvilInstance anvil = AnvilInstance.start(
                        Map.of("conductor.sync_power_state_interval", 3600.0, "database.pool_size", 8));
                Connection db = java.sql.DriverManager.getConnection(
                        anvil.database().jdbcUrl(),
                        anvil.database().user(),
                        anvil.database().password())) {
            db.setAutoCommit(false);
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO nodes (uuid, driver, provision_state, power_state,"
                            + " driver_info, deploy_interface, power_interface, management_interface, boot_interface) VALUES (?::uuid,"
                            + " 'ipmi', 'manageable', 'power off', ?::jsonb, 'fake', 'ipmitool', 'ipmitool', 'fake')")) {
                for (int i = 0; i < n; i++) {
                    ps.setString(1, UUID.randomUUID().toString());
                    ps.setString(
                            2,
                            new JsonObject()
                                    .put("ipmi_address", "127.0.0.1")
                                    .put("ipmi_port", basePort + i)
                                    .put("ipmi_username", "admin")
                                    .put("ipmi_password", "password")
                                    .encode());
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            db.commit();
            var periodics = anvil.anvil().periodics();
            PowerSync sync = new PowerSync(
                    anvil.anvil().vertx(),
                    anvil.anvil().conductor().power(),
                    new PowerSync.Settings(Duration.ofMillis(1), 256, 3, true));
            for (int pass = 1; pass <= 2; pass++) {
                long cpu0 = CpuMeter.jvmCpuNs();
                long sim0 = sim.cpuNs();
                long t0 = System.nanoTime();
                CountDownLatch done = new CountDownLatch(1);
                java.util.concurrent.atomic.AtomicReference<Object> result =
                        new java.util.concurrent.atomic.AtomicReference<>();
                sync.syncPowerStates(
                                periodics.nodes(),
                                io.vertx.core.Promise.<Void>promise().future())
                        .onComplete(ar -> {
                            result.set(ar.succeeded() ? ar.result() : ar.cause());
                            done.countDown();
                        });
                if (!done.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("power-sync pass did not finish");
                }
                double wallS = (System.nanoTime() - t0) / 1e9;
                double cpuS = (CpuMeter.jvmCpuNs() - cpu0) / 1e9;
                double simS = (sim.cpuNs() - sim0) / 1e9;
                String what = pass == 1 ? "first pass (new BMC sessions)" : "second pass (sessions reused)";
                table.row(row("power sync", what + ": wall", wallS, "s", String.valueOf(result.get())));
                table.row(row(
                        "power sync",
                        what + ": conductor CPU",
                        cpuS,
                        "s",
                        String.format("%.0f nodes/s; simulator CPU %.2f s", n / wallS, simS)));
            }
            long corrected = count(db, "SELECT count(*) FROM events WHERE event_type LIKE '%power_state_corrected%'");
            table.row(row(
                    "power sync", "nodes corrected or failed", corrected, "nodes", "expected 0: BMCs match the DB"));
        }
    }

    private static void insertNodes(Connection db, int n) throws Exception {
        db.setAutoCommit(false);
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO nodes (uuid, driver, provision_state,"
                + " deploy_interface, power_interface, management_interface, boot_interface) VALUES (?::uuid,"
                + " 'fake-hardware', 'available', 'fake', 'fake', 'fake', 'fake')")) {
            for (int i = 0; i < n; i++) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        db.commit();
        db.setAutoCommit(true);
    }

    /** Takes every node exclusively on A (never released: A dies holding them). */
    private static void lockAll(TaskManager tasks, List<String> uuids) throws InterruptedException {
        Semaphore inFlight = new Semaphore(128);
        CountDownLatch done = new CountDownLatch(uuids.size());
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Task> held = new ConcurrentLinkedQueue<>();
        for (String u : uuids) {
            inFlight.acquire();
            tasks.acquire(u, TaskOptions.exclusive("bench deploy").withoutDriver())
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            held.add(ar.result());
                        } else {
                            errors.add(ar.cause());
                        }
                        inFlight.release();
                        done.countDown();
                    });
        }
        if (!done.await(5, TimeUnit.MINUTES) || !errors.isEmpty()) {
            throw new IllegalStateException(
                    "locking A's nodes failed: " + errors.size() + " errors, first " + errors.peek());
        }
    }

    private static long count(Connection db, String sql) {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject row(String section, String name, double value, String unit, String note) {
        return BenchTable.measure(section, name, value, unit, note);
    }
}
