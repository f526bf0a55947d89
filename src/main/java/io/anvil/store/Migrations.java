package io.anvil.store;

import org.flywaydb.core.Flyway;

/**
 * Applies the versioned migrations in {@code db/migration} over JDBC. Blocking: the composition root runs it
 * once on a worker thread before any verticle is deployed. Flyway serialises concurrent migrators with an
 * advisory lock, so several conductors starting together are safe.
 */
public final class Migrations {
    private Migrations() {}

    /** Returns how many migrations were applied. */
    public static int migrate(DatabaseUrl url) {
        return Flyway.configure()
                .dataSource(url.jdbcUrl(), url.user(), url.password())
                .locations("classpath:db/migration")
                .loggers("slf4j")
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
