package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.fsm.ProvisionEvent;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md#ironic-scenarios scenario 9, under invariant 3 (docs/architecture.md#invariants): the new state
 * and its event row are written in one fenced transaction at the moment the worker starts. A failure there — the fence
 * moved because the lease was lost and someone else claimed the node, or the event insert fails — leaves neither the
 * state nor the event; the worker never runs, its slot and the lock are given back before the caller hears of the
 * failure.
 */
class AtomicStartTest extends ConductorTestBase {
    private Redis redis;

    @BeforeAll
    void connect() {
        redis = Redis.createClient(vertx, TestServices.redisUrl());
    }

    @AfterAll
    void close() {
        if (redis != null) {
            redis.close();
        }
    }

    private Map<String, Object> snapshot(String uuid) {
        Map<String, Object> row = new HashMap<>(node(uuid));
        row.remove("lock_fence");
        row.remove("reservation");
        return row;
    }

    /** Ironic's form of the scenario: the `with` body fails after process_event(callback=...) — nothing was saved. */
    @Test
    void aBodyFailingAfterProcessEventWritesNothing() {
        String uuid = createNode("available");
        Map<String, Object> before = snapshot(uuid);
        AtomicBoolean ran = new AtomicBoolean();
        Throwable e = failure(tasks().withTask(uuid, TaskOptions.exclusive("deploy"), task -> {
            task.processEvent(ProvisionEvent.DEPLOY, Optional.empty(), "", "do_node_deploy", t -> {
                ran.set(true);
                return Future.succeededFuture();
            });
            return Future.failedFuture(new IllegalStateException("configdrive upload failed"));
        }));
        assertEquals("configdrive upload failed", e.getMessage());
        assertFalse(ran.get());
        assertEquals(before, snapshot(uuid));
        assertEquals("available", node(uuid).get("provision_state"), "Ironic leaves the node in deploying here");
        assertNull(node(uuid).get("reservation"));
        assertTrue(lockFree(uuid));
        assertEquals(0, events(uuid).size() - countCreateEvents(uuid));
        assertEquals(0, tasks().workers().busy());
    }

    /**
     * The lease is lost between the body and the worker start (Redis forgot the holder) and another conductor claims
     * the node with a higher fence: the fenced transition writes nothing, the worker does not run.
     */
    @Test
    void aFenceThatMovedBeforeTheWorkerStartsWritesNothing() {
        String uuid = createNode("available");
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Task> thief = new AtomicReference<>();
        Throwable e = failure(tasks().withTask(uuid, TaskOptions.exclusive("deploy"), task -> {
            task.processEvent(ProvisionEvent.DEPLOY, Optional.empty(), "", "do_node_deploy", t -> {
                ran.set(true);
                return Future.succeededFuture();
            });
            return redis.send(Request.cmd(Command.DEL).arg("lk:{" + uuid + "}:x"))
                    .compose(x -> tasks().acquire(
                                    uuid, TaskOptions.exclusive("take over").tryOnce()))
                    .map(t -> {
                        thief.set(t);
                        return null;
                    });
        }));
        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertFalse(ran.get(), "the worker ran without its state");
        assertEquals(before, snapshot(uuid), "half-written state");
        assertEquals(eventsBefore, events(uuid).size(), () -> "event written: " + events(uuid));
        assertEquals(0, tasks().workers().busy(), "slot leaked");
        // the new holder is untouched by the failed start's clean-up
        assertEquals(host(), node(uuid).get("reservation"));
        assertEquals(thief.get().fence(), ((Number) node(uuid).get("lock_fence")).longValue());
        assertEquals("take over", lockInfo(uuid).exclusive().purpose());
        await(thief.get().release());
        assertTrue(lockFree(uuid));
        assertNull(node(uuid).get("reservation"));
    }

    /** The brief's simpler simulation: the fence column is bumped in SQL while the body runs. */
    @Test
    void aFenceBumpedInSqlBeforeTheWorkerStartsWritesNothing() {
        String uuid = createNode("available");
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();
        Throwable e = failure(tasks().withTask(uuid, TaskOptions.exclusive("deploy"), task -> {
            task.processEvent(
                    ProvisionEvent.DEPLOY,
                    Optional.empty(),
                    "",
                    "do_node_deploy",
                    t -> Future.failedFuture(new AssertionError("must not run")));
            return tasks().database()
                    .reads()
                    .query("UPDATE nodes SET lock_fence = lock_fence + 1000 WHERE uuid = '" + uuid + "'")
                    .execute()
                    .mapEmpty();
        }));
        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertEquals(before, snapshot(uuid));
        assertEquals(eventsBefore, events(uuid).size());
        assertTrue(lockFree(uuid), "lock kept after a failed start");
        assertEquals(0, tasks().workers().busy());
    }

    /**
     * The event insert fails (a trigger refuses the provision_set.start row of this node): the state change rolls back
     * with it. Through the real API and Provisioning: the client gets an error, the node is still available.
     */
    @Test
    void aFailingEventInsertRollsTheStateBack() {
        String uuid = createNode("available");
        Map<String, Object> before = snapshot(uuid);
        long eventsBefore = events(uuid).size();
        ddl("CREATE OR REPLACE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$");
        ddl("CREATE TRIGGER refuse_start BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.node_uuid = '" + uuid
                + "' AND NEW.event_type = 'baremetal.node.provision_set.start') EXECUTE FUNCTION refuse_event()");
        try {
            Resp r = putProvision(uuid, "active");
            assertEquals(500, r.status(), r::toString);
            assertTrue(r.fault().getString("faultstring").contains("outbox unavailable"), r::toString);
            // checked at once: the lock and slot are given back before the caller is answered
            assertNull(node(uuid).get("reservation"));
            assertTrue(lockFree(uuid), () -> "lock still held: " + lockInfo(uuid));
            assertEquals(0, tasks().workers().busy());
            assertEquals(before, snapshot(uuid), "state written without its event");
            assertEquals(eventsBefore, events(uuid).size());
        } finally {
            ddl("DROP TRIGGER refuse_start ON events");
        }
        assertEquals(202, putProvision(uuid, "active").status());
        waitForState(uuid, "active");
        // the deploy's own transition events (its deploy steps add step events beside them, docs/events.md)
        assertEquals(
                eventsBefore + 2,
                events(uuid).stream()
                        .filter(e -> !((String) e.get("event_type")).contains("_step"))
                        .count());
    }

    /** The same for a power action: the target and its power_set.start are one transaction. */
    @Test
    void aFailingPowerStartEventLeavesNoTarget() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET power_state = 'power off' WHERE uuid = ?", uuid);
        Map<String, Object> before = snapshot(uuid);
        ddl("CREATE OR REPLACE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$");
        ddl("CREATE TRIGGER refuse_power BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.node_uuid = '" + uuid
                + "' AND NEW.event_type = 'baremetal.node.power_set.start') EXECUTE FUNCTION refuse_event()");
        try {
            assertEquals(500, putPower(uuid, "power on").status());
            assertEquals(before, snapshot(uuid));
            assertNull(node(uuid).get("target_power_state"));
            assertEquals(java.util.List.of(), eventTypes(uuid, "baremetal.node.power_set."));
            assertTrue(lockFree(uuid));
            assertEquals(0, tasks().workers().busy());
        } finally {
            ddl("DROP TRIGGER refuse_power ON events");
        }
    }

    private long countCreateEvents(String uuid) {
        return events(uuid).stream()
                .filter(e -> !((String) e.get("event_type")).startsWith("baremetal.node.provision_set"))
                .count();
    }
}
