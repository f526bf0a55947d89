package io.anvil.bench;

import io.anvil.store.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node events written straight into the events table at a rate, as another conductor's outbox would commit them:
 * the feed's side of a bench without the conductor's write throughput in the way. Each event is a node's
 * {@code maintenance_set.end} (maintenance toggled, its payload copied from the node's {@code create.end}) for a
 * random node of {@code uuids}; they are inserted in one batch every 10 ms, each batch followed by
 * {@code NOTIFY anvil_events}, on a thread of its own.
 */
final class EventWriter implements AutoCloseable {
    private final DatabaseUrl db;
    private final List<String> uuids;
    private final int rate;
    private final AtomicLong sent;
    private final Thread thread;
    private volatile boolean stop;
    private volatile Exception failure;

    private EventWriter(DatabaseUrl db, List<String> uuids, int rate, AtomicLong sent) {
        this.db = db;
        this.uuids = List.copyOf(uuids);
        this.rate = rate;
        this.sent = sent;
        this.thread = new Thread(this::write, "bench-event-writer");
    }

    /** Starts writing {@code rate} events/s; {@code sent} counts every event inserted. */
    static EventWriter start(DatabaseUrl db, List<String> uuids, int rate, AtomicLong sent) {
        EventWriter w = new EventWriter(db, uuids, rate, sent);
        w.thread.start();
        return w;
    }

    /** The error that stopped the writer, or null. */
    Exception failure() {
        return failure;
    }

    private void write() {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            Map<String, JsonObject> payloads = new HashMap<>();
            try (Statement st = c.createStatement();
                    ResultSet r = st.executeQuery("SELECT node_uuid, payload FROM events"
                            + " WHERE event_type = 'baremetal.node.create.end'")) {
                while (r.next()) {
                    payloads.put(r.getString(1), new JsonObject(r.getString(2)));
                }
            }
            PreparedStatement insert = c.prepareStatement("INSERT INTO events (event_type, node_uuid, priority,"
                    + " publisher, payload) VALUES ('baremetal.node.maintenance_set.end', ?::uuid, 'info', 'bench',"
                    + " ?::jsonb)");
            Statement notify = c.createStatement();
            long start = System.nanoTime();
            long written = 0;
            Random random = new Random(1);
            while (!stop) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                int batch = 0;
                for (; written < due; written++, batch++) {
                    String uuid = uuids.get(random.nextInt(uuids.size()));
                    JsonObject p = payloads.getOrDefault(uuid, new JsonObject()).copy();
                    boolean on = !Boolean.TRUE.equals(p.getBoolean("maintenance"));
                    p.put("maintenance", on).put("maintenance_reason", on ? "bench" : null);
                    payloads.put(uuid, p);
                    insert.setString(1, uuid);
                    insert.setString(2, p.encode());
                    insert.addBatch();
                }
                if (batch > 0) {
                    insert.executeBatch();
                    notify.execute("NOTIFY anvil_events");
                    sent.addAndGet(batch);
                }
                BenchWait.pause(10); // the next batch is due in 10 ms
            }
        } catch (Exception e) {
            failure = e;
            e.printStackTrace();
        }
    }

    /** Stops after the batch in progress. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
    }
}
