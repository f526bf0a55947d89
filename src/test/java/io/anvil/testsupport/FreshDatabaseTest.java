package io.anvil.testsupport;

import io.anvil.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Tests of SQL against a real PostgreSQL: each test gets a fresh, migrated database and a Vert.x of its own. */
public abstract class FreshDatabaseTest {
    protected Vertx vertx;
    protected Database db;

    @BeforeEach
    protected void start() {
        vertx = Vertx.vertx();
        db = Database.connect(vertx, TestServices.freshDatabase(), 4, 2);
    }

    @AfterEach
    protected void close() {
        await(db.close());
        await(vertx.close());
    }

    /** The future's result, once it has completed (its failure thrown). */
    protected static <T> T await(Future<T> future) {
        return Conditions.completed(future);
    }
}
