package io.anvil.events;

import io.anvil.store.Database;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Tests of the feed's SQL: each test gets a fresh, migrated database and a Vert.x of its own. */
abstract class FreshDatabaseTest {
    /** Only so that a future that never completes fails its test instead of hanging the suite; not a speed check. */
    static final Duration HANG_GUARD = Duration.ofSeconds(60);

    Vertx vertx;
    Database db;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        db = Database.connect(vertx, TestServices.freshDatabase(), 4, 2);
    }

    @AfterEach
    void close() {
        await(db.close());
        await(vertx.close());
    }

    /** The future's result, once it has completed (its failure thrown). */
    static <T> T await(Future<T> future) {
        return Conditions.result(future, HANG_GUARD);
    }
}
