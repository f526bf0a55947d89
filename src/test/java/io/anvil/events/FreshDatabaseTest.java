package io.anvil.events;

import io.anvil.store.Database;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Tests of the feed's SQL: each test gets a fresh, migrated database and a Vert.x of its own. */
abstract class FreshDatabaseTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    Vertx vertx;
    Database db;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        db = Database.connect(vertx, TestServices.freshDatabase(), 4, 2);
    }

    @AfterEach
    void close() {
        Conditions.result(db.close(), WAIT);
        Conditions.result(vertx.close(), WAIT);
    }
}
