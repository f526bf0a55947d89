package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One BMC, one governor: FIFO, concurrency cap, spacing — asserted from the client's own stats. */
@ExtendWith(VertxExtension.class)
class GovernorTest {

    private static IpmiSim sim;

    @BeforeAll
    static void start() throws Exception {
        sim = IpmiSim.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
    }

    /** Fires {@code n} calls at once from one event-loop context; returns the completion order. */
    private static List<Integer> burst(Vertx vertx, IpmiClient client, BmcTarget bmc, int n) {
        Context caller = vertx.getOrCreateContext();
        Promise<List<Integer>> done = Promise.promise();
        caller.runOnContext(v -> {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<Future<GetChassisStatus.Response>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                calls.add(client.getChassisStatus(bmc).onSuccess(r -> order.add(index)));
            }
            Future.all(calls).onComplete(ar -> {
                if (ar.succeeded()) {
                    done.complete(order);
                } else {
                    done.fail(ar.cause());
                }
            });
        });
        return Await.result(done.future());
    }

    @Test
    void twentyConcurrentCallsAreSerialisedInOrderWithSpacing(Vertx vertx) {
        long spacingMs = 25;
        IpmiClient client = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions().setMaxInFlightPerBmc(1).setMinCommandSpacing(Duration.ofMillis(spacingMs))));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            List<Integer> completion = burst(vertx, client, bmc, 20);

            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(i);
            }
            assertEquals(expected, completion, "callers see completions in submission order");

            ClientStats stats = client.stats();
            ClientStats.BmcStats governor = stats.bmcs().get(bmc.address());
            assertEquals(1, governor.maxInFlightObserved(), "never more than one operation in flight");
            assertEquals(20, governor.operationsStarted());
            List<ClientStats.Operation> ops = governor.recent();
            assertEquals(20, ops.size());
            for (int i = 0; i < ops.size(); i++) {
                assertEquals(i, ops.get(i).ticket(), "FIFO: start order = arrival order");
                assertTrue(ops.get(i).succeeded());
            }
            for (int i = 1; i < ops.size(); i++) {
                long gapNanos = ops.get(i).startNanos() - ops.get(i - 1).endNanos();
                assertTrue(
                        gapNanos >= spacingMs * 1_000_000,
                        "operation " + i + " started " + gapNanos / 1_000 + " µs after the previous ended");
            }
            assertEquals(1, stats.sessionsOpened(), "all 20 share one session");
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void capAboveOneOverlapsButNeverExceedsIt(Vertx vertx) {
        IpmiClient client = Await.result(IpmiClient.create(
                vertx, new IpmiClientOptions().setMaxInFlightPerBmc(3).setMinCommandSpacing(Duration.ZERO)));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            burst(vertx, client, bmc, 30);
            ClientStats.BmcStats governor = client.stats().bmcs().get(bmc.address());
            assertTrue(
                    governor.maxInFlightObserved() <= 3 && governor.maxInFlightObserved() >= 2,
                    "cap 3 honoured, and used: " + governor.maxInFlightObserved());
            assertEquals(1, client.stats().sessionsOpened(), "concurrent operations share the opening session");
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void differentCredentialsShareTheGovernorButNotTheSession(Vertx vertx) {
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            BmcTarget admin = sim.admin().withCipherSuite(3);
            BmcTarget oper = BmcTarget.of("127.0.0.1", sim.port(), "oper", "operpass")
                    .withPrivilege(io.anvil.ipmi.codec.Privilege.OPERATOR)
                    .withCipherSuite(3);
            Await.result(Future.all(
                    client.getChassisStatus(admin),
                    client.getChassisStatus(oper),
                    client.getDeviceId(admin),
                    client.getDeviceId(oper)));
            ClientStats stats = client.stats();
            assertEquals(1, stats.bmcs().size(), "one governor for the BMC");
            assertEquals(4, stats.bmcs().get(admin.address()).operationsStarted());
            assertEquals(2, stats.sessionsOpened(), "one session per credentials");
        } finally {
            Await.result(client.close());
        }
        assertEquals(2, client.stats().sessionsClosed());
    }
}
