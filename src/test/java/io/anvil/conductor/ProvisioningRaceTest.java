package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.fsm.ApiVerb;
import io.anvil.lock.NodeLockedException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The conductor re-validates every request under the node's lock against the row as it is then (Ironic's NOTE: "the
 * node state(s) could change by the time the RPC call is made and the TaskManager gets a lock"). A deploy that
 * arrives twice must deploy once: the second finds the node ACTIVE and is refused, never turned into a rebuild
 * (Ironic: {@code rebuild = (target == 'rebuild')}).
 */
class ProvisioningRaceTest extends ConductorTestBase {
    private static final String PS = "baremetal.node.provision_set.";

    @Test
    void aDuplicateDeployQueuedBehindTheFirstDeploysOnce() {
        String uuid = createNode("available");
        Task console = await(tasks().acquire(uuid, TaskOptions.exclusive("console")));
        Future<Void> first = provision(uuid, ApiVerb.ACTIVE);
        waitUntil("first queued", () -> lockInfo(uuid).queueLength() == 1);
        Future<Void> second = provision(uuid, ApiVerb.ACTIVE);
        waitUntil("second queued", () -> lockInfo(uuid).queueLength() == 2);
        await(console.release());
        await(first);
        Throwable e = failure(second);
        assertTrue(e instanceof ConductorErrors.InvalidState || e instanceof NodeLockedException, e::toString);
        waitForState(uuid, "active");
        waitUntil("lock free", () -> lockFree(uuid));
        assertEquals(List.of(PS + "start", PS + "end"), eventTypes(uuid, PS), "deployed exactly once");
    }

    @Test
    void activeOnAnActiveNodeIsRefusedAndRebuildIsExplicit() {
        String uuid = createNode("active");
        Throwable e = failure(provision(uuid, ApiVerb.ACTIVE));
        assertTrue(e instanceof ConductorErrors.InvalidState, e::toString);
        Resp r = putProvision(uuid, "active");
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.fault().getString("faultstring").contains("can not be performed"), r::toString);
        assertEquals(List.of(), eventTypes(uuid, PS));
        assertEquals("active", node(uuid).get("provision_state"));

        assertEquals(202, putProvision(uuid, "rebuild").status());
        waitForState(uuid, "active");
        List<String> events = eventTypes(uuid, PS);
        assertEquals(List.of(PS + "start", PS + "end"), events);
        JsonObject start = (JsonObject) events(uuid).stream()
                .filter(x -> x.get("event_type").equals(PS + "start"))
                .findFirst()
                .orElseThrow()
                .get("payload");
        assertEquals("rebuild", start.getString("event"));
        assertEquals("active", start.getString("previous_provision_state"));
    }

    /**
     * API writes wait a bounded time in the fair queue: a short holder (a console session) delays a deploy instead of
     * answering 409 as Ironic would after its retries; a holder that keeps the node past the 3 s bound gets 409
     * NodeLocked naming what holds it, and nothing is written.
     */
    @Test
    void apiRequestsQueueBehindAShortHolderAndGet409AfterTheBound() {
        String uuid = createNode("available");
        Task console = await(tasks().acquire(uuid, TaskOptions.exclusive("console session")));
        // the console lets go once the request has queued behind it (not on a timer, which a loaded machine could
        // run after the request's 3 s bound)
        AtomicBoolean released = new AtomicBoolean();
        long watcher = vertx.setPeriodic(20, id -> tasks().locks().inspect(uuid).onSuccess(info -> {
            if (info.queueLength() > 0 && !released.getAndSet(true)) {
                vertx.cancelTimer(id);
                console.release();
            }
        }));
        Resp r = putProvision(uuid, "manage");
        vertx.cancelTimer(watcher);
        assertEquals(202, r.status(), r::toString);
        assertTrue(released.get(), "queued behind the console and granted only after it let go");
        waitForState(uuid, "manageable");

        Task longHolder = await(tasks().acquire(uuid, TaskOptions.exclusive("console session")));
        long eventsBefore = events(uuid).size();
        long t0 = System.nanoTime();
        r = putProvision(uuid, "provide");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(409, r.status(), r::toString);
        String fault = r.fault().getString("faultstring");
        assertTrue(fault.contains("console session"), fault);
        assertTrue(ms >= 2900, "waited the full bound first: " + ms + " ms");
        assertEquals("manageable", node(uuid).get("provision_state"));
        assertEquals(eventsBefore, events(uuid).size());
        assertEquals("console session", lockInfo(uuid).exclusive().purpose());
        assertEquals(0, lockInfo(uuid).queueLength(), "the timed-out request left the queue");
        await(longHolder.release());
    }
}
