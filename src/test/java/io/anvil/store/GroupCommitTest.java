package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.FreshDatabaseTest;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupCommit} on a real PostgreSQL: statements that wait behind one in flight go together as one batch, each
 * with its own result; a batch that fails is run again statement by statement, so only the failing one fails and the
 * others are written.
 */
class GroupCommitTest extends FreshDatabaseTest {
    private static final String INSERT = "INSERT INTO gc (id, v) VALUES ($1, $2) RETURNING id, v";

    @BeforeEach
    void table() {
        await(db.pool()
                .query("CREATE TABLE gc (id INT PRIMARY KEY, v INT NOT NULL)")
                .execute());
    }

    @Test
    void aLoneStatementGoesAtOnce() {
        GroupCommit group = new GroupCommit(db.pool(), 1, 64);
        Row row = await(group.execute(INSERT, Tuple.of(1, 10))).iterator().next();
        assertEquals(1, row.getInteger("id"));
        assertEquals(0, group.batches());
    }

    @Test
    void statementsThatWaitGoAsOneBatchEachWithItsOwnResult() {
        GroupCommit group = new GroupCommit(db.pool(), 1, 64);
        List<Future<RowSet<Row>>> results = behindOneInFlight(group, 40, i -> Tuple.of(i, i * 10));
        for (int i = 0; i <= 40; i++) {
            Row row = await(results.get(i)).iterator().next();
            assertEquals(i, row.getInteger("id"));
            assertEquals(i * 10, row.getInteger("v"));
        }
        assertEquals(1, group.batches(), "the 40 that waited went as one batch");
        assertEquals(41L, count());
    }

    @Test
    void aFailingStatementFailsAloneAndTheRestOfItsBatchIsWritten() {
        await(db.pool().query("INSERT INTO gc VALUES (7, 70)").execute());
        GroupCommit group = new GroupCommit(db.pool(), 1, 64);
        List<Future<RowSet<Row>>> results = behindOneInFlight(group, 20, i -> Tuple.of(i, i));
        for (int i = 0; i <= 20; i++) {
            Future<RowSet<Row>> f = results.get(i);
            await(f.otherwiseEmpty());
            if (i == 7) {
                assertTrue(f.failed(), "the duplicate key fails");
                assertEquals(
                        "23505", assertInstanceOf(PgException.class, f.cause()).getSqlState());
            } else {
                assertTrue(f.succeeded(), i + ": " + f.cause());
                assertEquals(i, f.result().iterator().next().getInteger("v"));
            }
        }
        assertEquals(1, group.batches());
        assertEquals(21L, count(), "row 7 as it was, 0 and the 19 others written");
        assertEquals(
                70,
                await(db.pool().query("SELECT v FROM gc WHERE id = 7").execute())
                        .iterator()
                        .next()
                        .getInteger(0));
    }

    /**
     * Statement 0 is held at PostgreSQL by an uncommitted row with its key (a transaction of another connection) while
     * statements 1..{@code n} are given; then that transaction rolls back. Their results, 0 first.
     */
    private List<Future<RowSet<Row>>> behindOneInFlight(GroupCommit group, int n, IntFunction<Tuple> params) {
        SqlConnection blocker = await(db.pool().getConnection());
        Transaction tx = await(blocker.begin());
        await(blocker.preparedQuery(INSERT).execute(Tuple.of(0, -1)));
        List<Future<RowSet<Row>>> results = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            results.add(group.execute(INSERT, params.apply(i)));
        }
        await(tx.rollback());
        await(blocker.close());
        return results;
    }

    private long count() {
        return await(db.pool().query("SELECT count(*) FROM gc").execute())
                .iterator()
                .next()
                .getLong(0);
    }
}
