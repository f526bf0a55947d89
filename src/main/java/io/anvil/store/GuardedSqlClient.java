package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collector;

/**
 * The one-shot read client behind {@link DatabaseAvailability}'s gate, with the retries that are safe
 * (docs/scale-out.md#postgresql-restarts), up to three after short waits, each on another connection:
 * <ul>
 *   <li>a statement that only reads ({@link #readOnly}) and failed because its connection was lost
 *       ({@link DatabaseErrors#connectionLost});
 *   <li>any statement the client never sent because its pooled connection was already closed
 *       ({@link DatabaseErrors#notSent}).
 * </ul>
 * Anything else — a write that was sent, or a statement whose server refused the connect — fails as it came: a write
 * may have committed before the connection dropped, so only the caller, told 503, may decide to repeat it.
 */
final class GuardedSqlClient implements SqlClient {
    /**
     * The waits before each retry. The pool may hand out a connection the server closed a few more times (for up to
     * ~100 ms seen here) before it has dropped it, so a single immediate retry is not enough.
     */
    static final long[] RETRY_DELAYS_MS = {20, 100, 500};

    private final SqlClient delegate;
    private final DatabaseAvailability gate;

    GuardedSqlClient(SqlClient delegate, DatabaseAvailability gate) {
        this.delegate = delegate;
        this.gate = gate;
    }

    /**
     * How many statements' {@link #readOnly} answers are kept. The statements are mostly constants, so the same few
     * hundred strings come back; beyond this bound (statements built per request) the answer is computed each time.
     */
    static final int CLASSIFIED_LIMIT = 4096;

    private static final Map<String, Boolean> CLASSIFIED = new ConcurrentHashMap<>();

    /** SELECT (or a WITH that only selects) and nothing that locks or changes rows; classified once per statement. */
    static boolean readOnly(String sql) {
        Boolean known = CLASSIFIED.get(sql);
        if (known != null) {
            return known;
        }
        boolean answer = classify(sql);
        if (CLASSIFIED.size() < CLASSIFIED_LIMIT) {
            CLASSIFIED.put(sql, answer);
        }
        return answer;
    }

    /** Statements whose {@link #readOnly} answer is kept (tests). */
    static int classified() {
        return CLASSIFIED.size();
    }

    private static boolean classify(String sql) {
        String s = sql.stripLeading().toUpperCase(Locale.ROOT);
        if (!(s.startsWith("SELECT") || s.startsWith("WITH"))) {
            return false;
        }
        return !(s.contains("INSERT ")
                || s.contains("UPDATE ")
                || s.contains("DELETE ")
                || s.contains("NEXTVAL")
                || s.contains("SETVAL")
                || s.contains("PG_NOTIFY")
                || s.contains("ADVISORY"));
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
        return new Guarded<>(delegate.query(sql), readOnly(sql));
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
        return new Guarded<>(delegate.preparedQuery(sql), readOnly(sql));
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
        return new Guarded<>(delegate.preparedQuery(sql, options), readOnly(sql));
    }

    @Override
    public Future<Void> close() {
        return delegate.close();
    }

    private <T> Future<T> run(boolean retryable, Supplier<Future<T>> work) {
        return attempt(retryable, work, 0);
    }

    private <T> Future<T> attempt(boolean retryable, Supplier<Future<T>> work, int retries) {
        return gate.guard(work).recover(e -> {
            boolean safe = DatabaseErrors.notSent(e) || retryable && DatabaseErrors.connectionLost(e);
            if (!safe || retries >= RETRY_DELAYS_MS.length) {
                return Future.failedFuture(e);
            }
            // a moment later, once the pool has dropped the dead connection instead of handing it out again
            return gate.later(RETRY_DELAYS_MS[retries]).compose(v -> attempt(retryable, work, retries + 1));
        });
    }

    /** A query ({@link Query} or {@link PreparedQuery}; {@code delegate} is one of them) executed through the gate. */
    private final class Guarded<T> implements PreparedQuery<T> {
        private final Query<T> delegate;
        private final boolean retryable;

        Guarded(Query<T> delegate, boolean retryable) {
            this.delegate = delegate;
            this.retryable = retryable;
        }

        private PreparedQuery<T> prepared() {
            return (PreparedQuery<T>) delegate;
        }

        @Override
        public Future<T> execute() {
            return run(retryable, delegate::execute);
        }

        @Override
        public Future<T> execute(Tuple tuple) {
            return run(retryable, () -> prepared().execute(tuple));
        }

        @Override
        public Future<T> executeBatch(List<Tuple> batch) {
            return run(retryable, () -> prepared().executeBatch(batch));
        }

        @Override
        public <R> PreparedQuery<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
            return new Guarded<>(delegate.collecting(collector), retryable);
        }

        @Override
        public <U> PreparedQuery<RowSet<U>> mapping(Function<Row, U> mapper) {
            return new Guarded<>(delegate.mapping(mapper), retryable);
        }
    }
}
