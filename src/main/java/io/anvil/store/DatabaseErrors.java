package io.anvil.store;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.Set;

/**
 * Tells "PostgreSQL is away" (restarting, failing over, unreachable) from every other database error, so the API can
 * answer 503 and a client retries, instead of a 500 (docs/scale-out.md#what-happens-on-each-failure).
 */
public final class DatabaseErrors {
    /** admin_shutdown, crash_shutdown, cannot_connect_now, plus class 08 (connection exceptions) below. */
    private static final Set<String> AWAY_STATES = Set.of("57P01", "57P02", "57P03");

    private DatabaseErrors() {}

    /** True when {@code failure}, or a cause of it, says the database connection was refused, lost or shut down. */
    public static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (state.startsWith("08") || AWAY_STATES.contains(state)) {
                    return true;
                }
            }
            if (t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
