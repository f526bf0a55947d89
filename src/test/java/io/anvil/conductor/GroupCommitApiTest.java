package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.store.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Node edits through the API are committed together when they wait behind others at PostgreSQL (docs/architecture.md,
 * "An API request", step 4): each edit still answers on its own, writes its own row and exactly its own events, in
 * order.
 */
class GroupCommitApiTest extends ConductorTestBase {

    @Test
    void editsWaitingBehindTwoInFlightGoAsOneBatchAndEachIsWrittenWithItsEvents() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            nodes.add(createNode("manageable"));
        }
        GroupCommit group = tasks().database().groupCommit();
        long batchesBefore = group.batches();

        // another transaction holds the rows of the first two nodes: their edits wait at PostgreSQL, in flight
        SqlConnection blocker = await(tasks().database().pool().getConnection());
        Transaction tx = await(blocker.begin());
        await(blocker.preparedQuery("SELECT id FROM nodes WHERE uuid::text = ANY($1::text[]) FOR UPDATE")
                .execute(Tuple.of(new String[] {nodes.get(0), nodes.get(1)})));
        List<Future<Resp>> answers = new ArrayList<>();
        answers.add(maintenance(nodes.get(0)));
        answers.add(maintenance(nodes.get(1)));
        waitUntil(
                "both first edits waiting for the rows",
                () -> count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND wait_event_type = 'Lock' AND query LIKE 'WITH u AS (UPDATE nodes%'")
                        == 2);
        for (String uuid : nodes.subList(2, 10)) {
            answers.add(maintenance(uuid));
        }
        waitUntil("the other eight waiting for a batch", () -> group.waiting() == 8);
        await(tx.rollback());
        await(blocker.close());

        for (Future<Resp> answer : answers) {
            Resp r = await(answer);
            assertEquals(202, r.status(), r::toString);
        }
        assertEquals(1, group.batches() - batchesBefore, "the eight that waited went as one batch");
        String metrics = http(HttpMethod.GET, "/metrics", null).body().toString();
        assertTrue(metrics.contains("anvil_db_group_commit_batched_total " + group.batched() + ".0"), metrics);
        assertTrue(metrics.contains("anvil_db_group_commit_waiting 0.0"), metrics);
        for (String uuid : nodes) {
            Map<String, Object> row = rows("SELECT maintenance, maintenance_reason FROM nodes WHERE uuid = ?", uuid)
                    .get(0);
            assertEquals(true, row.get("maintenance"), uuid);
            assertEquals("batched " + uuid, row.get("maintenance_reason"), "its own reason, not a neighbour's");
            assertEquals(
                    List.of("baremetal.node.maintenance_set.start", "baremetal.node.maintenance_set.end"),
                    eventTypes(uuid, "baremetal.node.maintenance_set"),
                    "each edit's own two events, once each, in order");
        }
    }

    private Future<Resp> maintenance(String uuid) {
        return httpAsync(
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/maintenance",
                new JsonObject().put("reason", "batched " + uuid).toBuffer());
    }
}
