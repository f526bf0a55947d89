package io.anvil.periodic;

import io.anvil.cluster.NodeOwnership;
import io.anvil.conductor.Conductor;
import io.anvil.conductor.PowerActions;
import io.anvil.conductor.Provisioning;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.WorkerPool;
import io.anvil.driver.DriverFactory;
import io.anvil.driver.HardwareTypes;
import io.anvil.events.Outbox;
import io.anvil.lock.LockOptions;
import io.anvil.lock.NodeLockService;
import io.anvil.store.Database;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.ResourceStore;
import io.anvil.testsupport.TestServices;
import io.anvil.upkeep.NodeIterator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A conductor's services without the API, on a fresh database and the shared Redis: TaskManager, PowerActions and a
 * DriverFactory the test can register implementations into. Helpers insert nodes in any state with SQL, read them
 * back, and wait on futures or on conditions polled with Vert.x timers (never Thread.sleep).
 */
public final class PeriodicHarness implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);

    public final Vertx vertx;
    public final DatabaseUrl url;
    public final Database db;
    public final NodeLockService locks;
    public final DriverFactory drivers;
    public final WorkerPool workers;
    public final TaskManager tasks;
    public final PowerActions power;
    public final Conductor conductor;
    public final String host;

    private PeriodicHarness(
            Vertx vertx,
            DatabaseUrl url,
            Database db,
            NodeLockService locks,
            DriverFactory drivers,
            WorkerPool workers,
            String host) {
        this.vertx = vertx;
        this.url = url;
        this.db = db;
        this.locks = locks;
        this.drivers = drivers;
        this.workers = workers;
        this.host = host;
        ResourceStore store = new ResourceStore(db);
        this.tasks = new TaskManager(locks, store, drivers, workers, new Outbox(host), host);
        this.power = new PowerActions(tasks);
        this.conductor = new Conductor(tasks, new Provisioning(tasks), power);
    }

    public static PeriodicHarness start(List<String> hardwareTypes, int workersPoolSize) {
        Vertx vertx = Vertx.vertx();
        DatabaseUrl url = TestServices.freshDatabase();
        Database db = Database.connect(vertx, url, 8, 4);
        NodeLockService locks = await(NodeLockService.create(vertx, TestServices.redisUrl(), LockOptions.defaults()));
        DriverFactory drivers = new DriverFactory(new HardwareTypes(hardwareTypes))
                .registerBios("fake", new io.anvil.driver.fake.FakeBios(new io.anvil.store.BiosSettingsStore(db)));
        return new PeriodicHarness(
                vertx, url, db, locks, drivers, new WorkerPool(workersPoolSize, 5), "periodic-test-" + url.database());
    }

    public static PeriodicHarness start() {
        return start(List.of("fake-hardware", "ipmi"), 300);
    }

    /** A node iterator over this database owning what {@code ownership} says; never stopping unless told. */
    public NodeIterator iterator(NodeOwnership ownership, BooleanSupplier stopping) {
        return new NodeIterator(db, tasks, ownership, stopping);
    }

    public NodeIterator iterator() {
        return iterator(NodeOwnership.everything(), () -> false);
    }

    // ---- nodes ----

    /** Inserts a fake-hardware node; {@code columns} override the defaults (values as SQL parameters). */
    public String node(Map<String, Object> columns) {
        String uuid = UUID.randomUUID().toString();
        return node(uuid, columns);
    }

    public String node(String uuid, Map<String, Object> columns) {
        Map<String, Object> cols = new java.util.LinkedHashMap<>();
        cols.put("uuid", UUID.fromString(uuid));
        cols.put("driver", "fake-hardware");
        cols.put("provision_state", "available");
        cols.put("power_state", "power off");
        for (String iface : List.of("power", "management", "deploy", "inspect", "rescue", "boot")) {
            cols.put(iface + "_interface", "fake");
        }
        cols.putAll(columns);
        List<String> names = new ArrayList<>(cols.keySet());
        List<String> marks = new ArrayList<>();
        for (int i = 1; i <= names.size(); i++) {
            marks.add("$" + i);
        }
        await(db.reads()
                .preparedQuery("INSERT INTO nodes (" + String.join(", ", names) + ") VALUES ("
                        + String.join(", ", marks) + ")")
                .execute(Tuple.from(new ArrayList<>(cols.values()))));
        return uuid;
    }

    /** The node's row, with timestamps and JSON as the pg client returns them. */
    public JsonObject row(String uuid) {
        Row r = await(db.reads()
                        .preparedQuery("SELECT * FROM nodes WHERE uuid = $1::uuid")
                        .execute(Tuple.of(uuid)))
                .iterator()
                .next();
        JsonObject o = new JsonObject();
        for (int i = 0; i < r.size(); i++) {
            Object v = r.getValue(i);
            o.put(
                    r.getColumnName(i),
                    v instanceof UUID u ? u.toString() : v instanceof java.time.OffsetDateTime t ? t.toString() : v);
        }
        return o;
    }

    /** Every node's uuid, in id (insertion) order. */
    public List<String> uuidsById() {
        List<String> out = new ArrayList<>();
        await(db.reads().query("SELECT uuid FROM nodes ORDER BY id").execute())
                .forEach(r -> out.add(r.getUUID(0).toString()));
        return out;
    }

    public void sql(String statement, Object... params) {
        await(db.reads().preparedQuery(statement).execute(Tuple.from(List.of(params))));
    }

    /** Event types written for the node, in order. */
    public List<String> events(String uuid) {
        List<String> out = new ArrayList<>();
        await(db.reads()
                        .preparedQuery("SELECT event_type FROM events WHERE node_uuid = $1::uuid ORDER BY seq")
                        .execute(Tuple.of(uuid)))
                .forEach(r -> out.add(r.getString(0)));
        return out;
    }

    public List<JsonObject> eventPayloads(String uuid, String type) {
        List<JsonObject> out = new ArrayList<>();
        await(db.reads()
                        .preparedQuery("SELECT payload FROM events WHERE node_uuid = $1::uuid AND event_type = $2 "
                                + "ORDER BY seq")
                        .execute(Tuple.of(uuid, type)))
                .forEach(r -> out.add((JsonObject) r.getValue(0)));
        return out;
    }

    // ---- waiting ----

    public static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }

    /** Waits on a Vert.x timer. */
    public void delay(long ms) {
        await(Future.<Void>future(p -> vertx.setTimer(Math.max(1, ms), id -> p.complete())));
    }

    /** Polls {@code condition} every 20 ms (Vert.x timers) until true; fails with {@code what} after the wait. */
    public void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            delay(20);
        }
    }

    @Override
    public void close() {
        await(locks.close());
        await(db.close());
        await(vertx.close());
    }
}
