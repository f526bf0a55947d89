package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.AnvilCluster.Member;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sweep for orphaned nodes scans the nodes table (docs/scale-out.md#take-over), so it runs when the ring
 * membership changes, not on every ring refresh: refreshes that find the same conductors alive start no sweep, and a
 * conductor joining (or dying) starts one.
 */
class TakeoverSweepTest {

    @Test
    void refreshesWithTheSameMembershipStartNoSweepAndAMembershipChangeStartsOne() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of(), "sweep-a")) {
            Member a = cluster.member("sweep-a");
            AtomicInteger refreshes = new AtomicInteger();
            a.anvil().ring().onRefresh(r -> refreshes.incrementAndGet());
            cluster.await(
                    "the first sweep, with sweep-a alive on its ring",
                    () -> a.anvil().takeover().sweeps() >= 1
                            && a.anvil().ring().current().isAlive("sweep-a"));
            // let start-up settle: its own arrival on the ring is a membership change too
            int settling = refreshes.get();
            cluster.await("five ring refreshes", () -> refreshes.get() >= settling + 5);

            long before = a.anvil().takeover().sweeps();
            int seen = refreshes.get();
            cluster.await("ten more ring refreshes", () -> refreshes.get() >= seen + 10);
            assertEquals(before, a.anvil().takeover().sweeps(), "ten refreshes with the same membership, no sweep");

            cluster.startMember("sweep-b", Map.of());
            cluster.await(
                    "a sweep on sweep-a after sweep-b joined its ring",
                    () -> a.anvil().ring().current().isAlive("sweep-b")
                            && a.anvil().takeover().sweeps() > before);
        }
    }
}
