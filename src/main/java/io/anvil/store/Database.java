package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * The two PostgreSQL clients of one process: a {@link Pool} for transactions and a pipelined pooled client for
 * one-shot reads on the hot path (TechEmpower's trick: many queries in flight on few connections).
 */
public final class Database {
    private final Pool pool;
    private final SqlClient pipelined;
    private final SqlClient guardedReads;
    private final DatabaseAvailability availability;
    private final DatabaseUrl url;
    private final GroupCommit groupCommit;

    private Database(Vertx vertx, DatabaseUrl url, Pool pool, SqlClient pipelined) {
        this.url = url;
        this.pool = pool;
        this.pipelined = pipelined;
        this.groupCommit = new GroupCommit(pool, GROUP_COMMIT_IN_FLIGHT, GROUP_COMMIT_BATCH);
        this.availability = new DatabaseAvailability(vertx, url.connectOptions());
        this.guardedReads = new GuardedSqlClient(pipelined, availability);
    }

    public static Database connect(Vertx vertx, DatabaseUrl url, int poolSize, int pipelinedSize) {
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions()
                        .setMaxSize(poolSize)
                        .setMaxWaitQueueSize(4096)
                        .setShared(true)
                        .setName("anvil-tx-" + url.database()))
                .connectingTo(url.connectOptions())
                .using(vertx)
                .build();
        SqlClient pipelined = PgBuilder.client()
                .with(new PoolOptions()
                        .setMaxSize(pipelinedSize)
                        .setMaxWaitQueueSize(16384)
                        .setShared(true)
                        .setName("anvil-read-" + url.database()))
                .connectingTo(url.connectOptions())
                .using(vertx)
                .build();
        return new Database(vertx, url, pool, pipelined);
    }

    public Pool pool() {
        return pool;
    }

    /**
     * Statements of one text at PostgreSQL at once before the next ones wait to be committed together. Measured with
     * the feed bench on 2 cores (docs/benchmarks.md): 1 and 2 made about the same rate, 4 spent more of
     * PostgreSQL's CPU per change (smaller batches, more commits).
     */
    static final int GROUP_COMMIT_IN_FLIGHT = 2;

    static final int GROUP_COMMIT_BATCH = 64;

    /** Group commit on the transaction pool, for single-statement writes (see {@link GroupCommit}). */
    public GroupCommit groupCommit() {
        return groupCommit;
    }

    /** Runs {@code work}, single statements through the group commit; guarded like {@link #inStatement}. */
    public <T> Future<T> inGroupCommit(Function<GroupCommit, Future<T>> work) {
        return availability.guard(() -> work.apply(groupCommit));
    }

    /**
     * For single statements; pipelined, no transaction. Fails at once while PostgreSQL is away
     * ({@link DatabaseAvailability}); a read-only statement whose connection was lost runs once more.
     */
    public SqlClient reads() {
        return guardedReads;
    }

    /**
     * Runs {@code work} in a transaction. Fails at once while PostgreSQL is away; a transaction cut by a lost
     * connection is rolled back by PostgreSQL and never retried here (its commit may have happened before the
     * connection dropped; the caller, told 503, retries if it wants).
     */
    public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
        return availability.guard(() -> pool.withTransaction(work));
    }

    /**
     * Runs {@code work}, one statement on the transaction pool in its own (implicit) transaction: atomic without the
     * BEGIN and COMMIT round trips. Guarded like {@link #inTransaction}.
     */
    public <T> Future<T> inStatement(Function<SqlClient, Future<T>> work) {
        return availability.guard(() -> work.apply(pool));
    }

    /** The reconnection gate: whether PostgreSQL is away. */
    public DatabaseAvailability availability() {
        return availability;
    }

    /**
     * Succeeds when PostgreSQL answers {@code SELECT 1} (the readiness probe). Bypasses the gate, so readiness always
     * asks PostgreSQL itself; a success opens the gate at once.
     */
    public Future<Void> ping() {
        return pipelined
                .query("SELECT 1")
                .execute()
                .onSuccess(r -> availability.reached())
                .mapEmpty();
    }

    public DatabaseUrl url() {
        return url;
    }

    public Future<Void> close() {
        return Future.all(pool.close(), pipelined.close()).mapEmpty();
    }
}
