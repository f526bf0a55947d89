package io.anvil.periodic;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.cluster.NodeOwnership;
import io.anvil.conductor.Task;
import io.anvil.fsm.ProvisionState;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.anvil.lock.LockStats;
import io.anvil.lock.RedisNodeLockService;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The node iterator against real PostgreSQL and Redis: ownership, SQL filters, try-once skips, early stops. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeriodicNodeIteratorTest {
    private PeriodicHarness h;

    @BeforeAll
    void start() {
        h = PeriodicHarness.start();
    }

    @AfterAll
    void stop() {
        h.close();
    }

    @BeforeEach
    void clean() {
        h.sql("DELETE FROM nodes");
    }

    private List<String> nodes(int n, Map<String, Object> cols) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(h.node(cols));
        }
        return out;
    }

    private static NodeVisitor<Task> recording(Set<String> seen) {
        return (task, listed) -> {
            seen.add(task.uuid());
            return Future.succeededFuture(Visit.CONTINUE);
        };
    }

    @Test
    void visitsOnlyTheNodesThisConductorOwns() {
        List<String> all = nodes(10, Map.of());
        Set<String> mine = new HashSet<>(all.subList(0, 5));
        NodeOwnership half = (uuid, driver, group) -> mine.contains(uuid);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        WalkResult r =
                await(h.iterator(half, () -> false).forEach(NodeFilter.all(), Walk.shared("test"), recording(seen)));
        assertEquals(mine, seen);
        assertEquals(5, r.listed());
        assertEquals(5, r.visited());
    }

    /** Past one page (NodeIterator.PAGE rows) the listing goes on page by page: every owned node, in id order. */
    @Test
    void listsBeyondOnePageInIdOrder() {
        h.sql("INSERT INTO nodes (uuid, driver, provision_state, power_state)"
                + " SELECT gen_random_uuid(), 'fake-hardware', 'available', 'power off' FROM generate_series(1, 2345)");
        List<String> byId = h.uuidsById();
        Set<String> mine =
                new HashSet<>(byId.stream().filter(u -> u.charAt(0) < '8').toList());
        NodeOwnership some = (uuid, driver, group) -> mine.contains(uuid);
        List<NodeRef> listed = await(h.iterator(some, () -> false).owned(NodeFilter.all()));
        assertEquals(
                byId.stream().filter(mine::contains).toList(),
                listed.stream().map(NodeRef::uuid).toList());
    }

    @Test
    void theOwnershipCheckGetsTheNodesDriverAndGroup() {
        String a = h.node(Map.of("conductor_group", "rack9"));
        h.node(Map.of("conductor_group", ""));
        NodeOwnership rack9 = (uuid, driver, group) -> group.equals("rack9") && driver.equals("fake-hardware");
        List<NodeRef> owned = await(h.iterator(rack9, () -> false).owned(NodeFilter.all()));
        assertEquals(List.of(a), owned.stream().map(NodeRef::uuid).toList());
    }

    @Test
    void filtersInSql() {
        String wait = h.node(Map.of("provision_state", "wait call-back"));
        h.node(Map.of("provision_state", "wait call-back", "maintenance", true));
        h.node(Map.of("provision_state", "wait call-back", "reservation", "someone"));
        h.node(Map.of("provision_state", "active"));
        NodeFilter f = NodeFilter.all()
                .provisionState(ProvisionState.DEPLOYWAIT)
                .maintenance(false)
                .unreserved();
        assertEquals(
                List.of(wait),
                await(h.iterator().owned(f)).stream().map(NodeRef::uuid).toList());
        NodeFilter notExcluded = NodeFilter.all().provisionStateNotIn(ProvisionState.SYNC_EXCLUDED_STATES);
        assertEquals(1, await(h.iterator().owned(notExcluded)).size(), "only the active node is outside the set");
        NodeFilter raw = NodeFilter.all().where("provision_state = ? AND maintenance = ?", "wait call-back", true);
        assertEquals(1, await(h.iterator().owned(raw)).size());
    }

    @Test
    void olderThanUsesTheDatabaseClockAndOrdersOldestFirst() {
        String old = h.node(Map.of("provision_state", "wait call-back"));
        String older = h.node(Map.of("provision_state", "wait call-back"));
        String fresh = h.node(Map.of("provision_state", "wait call-back"));
        h.sql("UPDATE nodes SET provision_updated_at = now() - interval '10 minutes' WHERE uuid = $1::uuid", old);
        h.sql("UPDATE nodes SET provision_updated_at = now() - interval '20 minutes' WHERE uuid = $1::uuid", older);
        h.sql("UPDATE nodes SET provision_updated_at = now() WHERE uuid = $1::uuid", fresh);
        NodeFilter f = NodeFilter.all()
                .olderThan("provision_updated_at", java.time.Duration.ofMinutes(5))
                .orderBy("provision_updated_at", true);
        assertEquals(
                List.of(older, old),
                await(h.iterator().owned(f)).stream().map(NodeRef::uuid).toList());
    }

    @Test
    void aLockedNodeIsSkippedNotWaitedFor() {
        List<String> all = nodes(4, Map.of());
        LockLease held = await(h.locks.acquire(
                all.get(1), LockRequest.exclusive("held by the test").tryOnce()));
        try {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            LockStats stats = ((RedisNodeLockService) h.locks).stats();
            long polls = stats.polls();
            long refusals = stats.refusals();
            WalkResult r = await(h.iterator().forEach(NodeFilter.all(), Walk.shared("test"), recording(seen)));
            assertEquals(Set.of(all.get(0), all.get(2), all.get(3)), seen);
            assertEquals(1, r.locked());
            assertEquals(3, r.visited());
            // not waited for: one try-once refusal, no queued waiter (a waiter polls at least once)
            assertEquals(polls, stats.polls(), "the walk queued for the lock");
            assertTrue(stats.refusals() > refusals, "the walk's try-once was refused");
            // an exclusive walk skips it too
            Set<String> seenExclusive = ConcurrentHashMap.newKeySet();
            WalkResult rx =
                    await(h.iterator().forEach(NodeFilter.all(), Walk.exclusive("test"), recording(seenExclusive)));
            assertEquals(1, rx.locked());
            assertFalse(seenExclusive.contains(all.get(1)));
        } finally {
            await(held.release());
        }
    }

    @Test
    void aNodeLockedOnUpgradeIsASkip() {
        String uuid = h.node(Map.of());
        LockLease other =
                await(h.locks.acquire(uuid, LockRequest.shared("another reader").tryOnce()));
        try {
            WalkResult r = await(
                    h.iterator().forEach(NodeFilter.all(), Walk.shared("test"), (task, listed) -> task.upgradeLock(
                                    "needs exclusive")
                            .map(Visit.CONTINUE)));
            assertEquals(1, r.locked());
            assertEquals(0, r.failed());
        } finally {
            await(other.release());
        }
    }

    @Test
    void theVisitorCanStopTheWalkEarly() {
        nodes(6, Map.of());
        AtomicInteger n = new AtomicInteger();
        WalkResult r = await(h.iterator()
                .forEach(
                        NodeFilter.all(),
                        Walk.shared("test"),
                        (task, listed) ->
                                Future.succeededFuture(n.incrementAndGet() == 2 ? Visit.STOP : Visit.CONTINUE)));
        assertEquals(2, n.get());
        assertEquals(2, r.visited());
        assertTrue(r.stoppedEarly());
    }

    @Test
    void aLimitEndsTheWalk() {
        nodes(6, Map.of());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        WalkResult r =
                await(h.iterator().forEach(NodeFilter.all(), Walk.shared("test").limit(3), recording(seen)));
        assertEquals(3, seen.size());
        assertTrue(r.stoppedEarly());
    }

    @Test
    void shutdownStopsTheWalkBetweenNodes() {
        nodes(6, Map.of());
        AtomicBoolean stopping = new AtomicBoolean();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        WalkResult r = await(h.iterator(NodeOwnership.everything(), stopping::get)
                .forEach(NodeFilter.all(), Walk.shared("test"), (task, listed) -> {
                    seen.add(task.uuid());
                    if (seen.size() == 2) {
                        stopping.set(true);
                    }
                    return Future.succeededFuture(Visit.CONTINUE);
                }));
        assertEquals(2, seen.size());
        assertTrue(r.stoppedEarly());
    }

    @Test
    void concurrentVisitsAreBounded() {
        nodes(12, Map.of());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        WalkResult r =
                await(h.iterator().forEach(NodeFilter.all(), Walk.shared("test").concurrency(3), (task, listed) -> {
                    max.accumulateAndGet(running.incrementAndGet(), Math::max);
                    return Future.<Visit>future(p -> h.vertx.setTimer(30, id -> {
                        running.decrementAndGet();
                        p.complete(Visit.CONTINUE);
                    }));
                }));
        assertEquals(12, r.visited());
        assertEquals(3, max.get());
    }

    @Test
    void onlyForVisitsNodesUsingExactlyThatImplementation() {
        SimPower sim = new SimPower(h.vertx);
        h.drivers.registerPower("sim", sim);
        String simNode = h.node(Map.of("power_interface", "sim"));
        h.node(Map.of());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        WalkResult r =
                await(h.iterator().forEach(NodeFilter.all(), Walk.shared("test").onlyFor(sim), recording(seen)));
        assertEquals(Set.of(simNode), seen);
        assertEquals(1, r.otherDriver());
    }

    @Test
    void aDeletedNodeIsGone() {
        String uuid = h.node(Map.of());
        List<NodeRef> listed = await(h.iterator().owned(NodeFilter.all()));
        h.sql("DELETE FROM nodes WHERE uuid = $1::uuid", uuid);
        WalkResult r = await(h.iterator()
                .forEach(
                        listed,
                        Walk.shared("test"),
                        (Task task, NodeRef ref) -> Future.succeededFuture(Visit.CONTINUE)));
        assertEquals(1, r.gone());
        assertEquals(0, r.visited());
    }

    /** A walk visits listed nodes without looking them up first: a deletion is found under the lock, which is let go. */
    @Test
    void aNodeDeletedAfterTheListingIsGoneAndItsLockReleased() {
        String uuid = h.node(Map.of());
        List<NodeRef> listed = await(h.iterator().owned(NodeFilter.all()));
        h.sql("DELETE FROM nodes WHERE uuid = $1::uuid", uuid);
        for (Walk walk : List.of(Walk.shared("test"), Walk.exclusive("test"))) {
            WalkResult r = await(h.iterator()
                    .forEach(listed, walk, (Task task, NodeRef ref) -> Future.succeededFuture(Visit.CONTINUE)));
            assertEquals(1, r.gone(), walk.toString());
            assertEquals(0, r.locked(), walk.toString());
            await(await(h.locks.acquire(
                            uuid, LockRequest.exclusive("after the walk").tryOnce()))
                    .release());
        }
    }
}
