package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A record edit of the node row alone ({@link TaskManager#apiNodeEdit}) reads the row under its lock without
 * claiming it; its first write is the claim (docs/locks.md#fencing). Every UPDATE of a node row is counted by a
 * trigger of this test's database, so "one write" is what PostgreSQL saw, not what the code meant to send.
 */
class ClaimOnFirstWriteTest extends ConductorTestBase {
    @BeforeAll
    void countNodeWrites() {
        ddl("CREATE TABLE node_writes (node_uuid uuid NOT NULL, reservation text)");
        ddl("CREATE FUNCTION count_node_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " INSERT INTO node_writes VALUES (NEW.uuid, NEW.reservation); RETURN NEW; END $$");
        ddl("CREATE TRIGGER count_node_writes AFTER UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION count_node_write()");
    }

    private long writes(String uuid) {
        return count("SELECT count(*) FROM node_writes WHERE node_uuid = ?::uuid", uuid);
    }

    private long fenceOf(String uuid) {
        return ((Number) node(uuid).get("lock_fence")).longValue();
    }

    private <T> Future<T> edit(String uuid, Function<Task, Future<T>> work) {
        return calls.call(() -> tasks().withTask(uuid, tasks().apiNodeEdit("test edit"), work));
    }

    /** A write no lock guards (as the liveness coalescer's), made through the conductor's own pool. */
    private Future<Void> lockFreeWrite(String uuid, String sql, Object... params) {
        Tuple t = Tuple.of(uuid);
        for (Object p : params) {
            t.addValue(p);
        }
        return tasks().database().pool().preparedQuery(sql).execute(t).mapEmpty();
    }

    @Test
    void maintenanceThroughTheApiIsOneWriteThatClaimsTheRowAndNeverShowsAHolder() {
        String uuid = createNode("manageable");
        long before = writes(uuid);
        long fenceBefore = fenceOf(uuid);

        Resp r = http(HttpMethod.PUT, "/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "disk"));
        assertEquals(202, r.status(), r::toString);

        assertEquals(1, writes(uuid) - before, "one UPDATE: the change with its events, which is also the claim");
        assertEquals(
                0,
                count("SELECT count(*) FROM node_writes WHERE node_uuid = ?::uuid AND reservation IS NOT NULL", uuid),
                "the row never carried a holder");
        Map<String, Object> row = node(uuid);
        assertEquals(true, row.get("maintenance"));
        assertNull(row.get("reservation"));
        assertTrue(fenceOf(uuid) > fenceBefore, "the write set the lock's token as the row's fence");
        assertEquals(
                List.of("baremetal.node.maintenance_set.start", "baremetal.node.maintenance_set.end"),
                eventTypes(uuid, "baremetal.node.maintenance_set"));
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void aRowChangedBetweenTheReadAndTheFirstWriteIsClaimedAndTheWorkRunsAgainOnIt() {
        String uuid = createNode("manageable");
        long before = writes(uuid);
        AtomicInteger attempts = new AtomicInteger();
        List<JsonObject> seen = new CopyOnWriteArrayList<>();

        JsonObject answer = await(edit(uuid, task -> {
            int attempt = attempts.incrementAndGet();
            seen.add(task.node().getJsonObject("extra", new JsonObject()).copy());
            Future<Void> meanwhile = attempt == 1
                    ? lockFreeWrite(uuid, "UPDATE nodes SET extra = '{\"liveness\": 1}'::jsonb WHERE uuid = $1::uuid")
                    : Future.succeededFuture();
            return meanwhile.compose(x -> task.saveWithEvent(
                    Map.of("description", "attempt " + attempt), "baremetal.node.update.end", "info", null));
        }));

        assertEquals(2, attempts.get(), "the first write found the row changed: the work ran again");
        assertEquals(new JsonObject(), seen.get(0));
        assertEquals(new JsonObject().put("liveness", 1), seen.get(1), "the second run saw the row as changed");
        assertEquals("attempt 2", answer.getString("description"));
        List<Map<String, Object>> stored =
                rows("SELECT description, extra::text AS extra, reservation FROM nodes WHERE uuid = ?::uuid", uuid);
        assertEquals("attempt 2", stored.get(0).get("description"));
        assertEquals(
                new JsonObject().put("liveness", 1),
                new JsonObject((String) stored.get(0).get("extra")),
                "the change made meanwhile is kept");
        assertNull(stored.get(0).get("reservation"), "the rerun's write cleared the claim's reservation");
        List<Map<String, Object>> updates = events(uuid).stream()
                .filter(e -> e.get("event_type").equals("baremetal.node.update.end"))
                .toList();
        assertEquals(1, updates.size(), "the refused write wrote no event");
        assertEquals("attempt 2", ((JsonObject) updates.get(0).get("payload")).getString("description"));
        assertEquals(3, writes(uuid) - before, "the lock-free write, the claim, the change");
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void aNewerHolderBetweenTheReadAndTheFirstWriteFencesTheTaskOut() {
        String uuid = createNode("manageable");
        AtomicInteger attempts = new AtomicInteger();

        Throwable e = failure(edit(uuid, task -> {
            attempts.incrementAndGet();
            // a newer holder's claim: the fence above this task's token
            return lockFreeWrite(
                            uuid,
                            "UPDATE nodes SET lock_fence = $2 WHERE uuid = $1::uuid",
                            task.lease().fence() + 1)
                    .compose(x -> task.saveWithEvent(
                            Map.of("description", "stale"), "baremetal.node.update.end", "info", null));
        }));

        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertEquals(1, attempts.get(), "a lost lease is not retried");
        assertNull(rows("SELECT description FROM nodes WHERE uuid = ?::uuid", uuid)
                .get(0)
                .get("description"));
        assertTrue(eventTypes(uuid, "baremetal.node.update").isEmpty());
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void aRowAlreadyFencedAboveTheTokenIsLeaseLostBeforeTheWorkRuns() {
        String uuid = createNode("manageable");
        sql("UPDATE nodes SET lock_fence = 9000000000000000000 WHERE uuid = ?::uuid", uuid);
        AtomicInteger attempts = new AtomicInteger();

        Throwable e = failure(edit(uuid, task -> {
            attempts.incrementAndGet();
            return Future.succeededFuture();
        }));

        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertEquals(0, attempts.get());
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void anEditThatFailsBeforeWritingWritesNothingAndLetsGo() {
        String uuid = createNode("manageable");
        long before = writes(uuid);
        AtomicInteger attempts = new AtomicInteger();

        Throwable e = failure(edit(uuid, task -> {
            attempts.incrementAndGet();
            // writes fenced by lock_fence = token need a claimed row, which this task does not have yet
            assertThrows(IllegalStateException.class, task::fence);
            throw AnvilException.invalid("no such field");
        }));

        assertTrue(e instanceof AnvilException a && a.status() == 400, e::toString);
        assertEquals(1, attempts.get());
        assertEquals(0, writes(uuid) - before, "no claim, no release: nothing written");
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void patchThroughTheApiIsOneWriteAndAnswersWithTheRowAsWritten() {
        String uuid = createNode("manageable");
        long before = writes(uuid);

        Resp r = httpRaw(
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                Buffer.buffer("[{\"op\": \"add\", \"path\": \"/description\", \"value\": \"rack 4\"}]"));

        assertEquals(200, r.status(), r::toString);
        assertEquals("rack 4", r.json().getString("description"));
        assertEquals(host(), r.json().getString("reservation"), "as Ironic's: the answer names the holder");
        assertEquals(1, writes(uuid) - before);
        assertNull(node(uuid).get("reservation"));
        assertEquals(List.of("baremetal.node.update.end"), eventTypes(uuid, "baremetal.node.update"));
    }
}
