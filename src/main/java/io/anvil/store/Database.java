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
    private final DatabaseUrl url;

    private Database(DatabaseUrl url, Pool pool, SqlClient pipelined) {
        this.url = url;
        this.pool = pool;
        this.pipelined = pipelined;
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
        return new Database(url, pool, pipelined);
    }

    public Pool pool() {
        return pool;
    }

    /** For single statements; pipelined, no transaction. */
    public SqlClient reads() {
        return pipelined;
    }

    public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
        return pool.withTransaction(work);
    }

    /** Succeeds when PostgreSQL answers {@code SELECT 1} (the readiness probe). */
    public Future<Void> ping() {
        return reads().query("SELECT 1").execute().mapEmpty();
    }

    public DatabaseUrl url() {
        return url;
    }

    public Future<Void> close() {
        return Future.all(pool.close(), pipelined.close()).mapEmpty();
    }
}
