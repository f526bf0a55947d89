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
            if (t instanceof ConnectException
                    || t instanceof ClosedConnectionException
                    || t instanceof DatabaseAvailability.Away) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (state.startsWith("08") || AWAY_STATES.contains(state)) {
                    return true;
                }
            }
            if (t instanceof io.netty.channel.ConnectTimeoutException || reset(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code failure} says an open connection was lost under a statement (closed, reset, or the server
     * shutting down), as opposed to a connect that was refused: a read-only statement may run again on a new
     * connection ({@link GuardedSqlClient}).
     */
    public static boolean connectionLost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClosedConnectionException) {
                return true;
            }
            if (reset(t)) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (state.equals("57P01") || state.equals("57P02") || state.equals("08006") || state.equals("08003")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True when the client refused to send the statement because its pooled connection was already closed: it never
     * reached PostgreSQL, so any statement, a write too, may be sent again on another connection.
     */
    public static boolean notSent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.core.VertxException
                    && String.valueOf(t.getMessage()).startsWith("Connection is not active now")) {
                return true;
            }
        }
        return false;
    }

    /** The server's end went away under an open connection ("Connection reset by peer"). */
    /** The socket died under the client: reset by the server, or written to after the server closed it (EPIPE). */
    private static boolean reset(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t instanceof java.io.IOException && (m.contains("Connection reset") || m.contains("Broken pipe"));
    }
}
