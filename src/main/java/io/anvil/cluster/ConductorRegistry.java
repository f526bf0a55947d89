package io.anvil.cluster;

import io.anvil.store.Database;
import io.anvil.store.RowJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * This conductor's row in {@code conductors}: registered at start, touched every heartbeat interval, marked
 * offline on a clean stop. Others read the table to know who is alive (updated within heartbeat_timeout).
 */
public final class ConductorRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ConductorRegistry.class);

  /** One conductor as the API shows it. */
  public record Conductor(String hostname, String group, boolean alive, List<String> drivers, String createdAt,
                          String updatedAt) {
  }

  private final Vertx vertx;
  private final Database db;
  private final String hostname;
  private final String group;
  private final List<String> drivers;
  private final int heartbeatInterval;
  private final int heartbeatTimeout;
  private long timer = -1;

  public ConductorRegistry(Vertx vertx, Database db, String hostname, String group, List<String> drivers,
                           int heartbeatInterval, int heartbeatTimeout) {
    this.vertx = vertx;
    this.db = db;
    this.hostname = hostname;
    this.group = group;
    this.drivers = List.copyOf(drivers);
    this.heartbeatInterval = heartbeatInterval;
    this.heartbeatTimeout = heartbeatTimeout;
  }

  public String hostname() {
    return hostname;
  }

  public Future<Void> register() {
    return db.reads().preparedQuery("INSERT INTO conductors (hostname, conductor_group, online, drivers, updated_at)"
            + " VALUES ($1, $2, TRUE, $3, now()) ON CONFLICT (hostname) DO UPDATE SET conductor_group = $2,"
            + " online = TRUE, drivers = $3, updated_at = now()")
        .execute(Tuple.of(hostname, group, new JsonArray(drivers)))
        .<Void>mapEmpty()
        .onSuccess(v -> timer = vertx.setPeriodic(heartbeatInterval * 1000L, id -> touch(true)));
  }

  private Future<Void> touch(boolean online) {
    return db.reads().preparedQuery("UPDATE conductors SET online = $2, updated_at = now() WHERE hostname = $1")
        .execute(Tuple.of(hostname, online))
        .<Void>mapEmpty()
        .onFailure(e -> LOG.warn("conductor keepalive failed (will retry): {}", e.getMessage()));
  }

  /** Stops the keepalive and marks this conductor offline. */
  public Future<Void> unregister() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return touch(false).recover(e -> Future.succeededFuture());
  }

  public Future<List<Conductor>> list() {
    return db.reads().preparedQuery("SELECT hostname, conductor_group, drivers, created_at, updated_at,"
            + " online AND updated_at > now() - make_interval(secs => $1) AS alive FROM conductors ORDER BY id")
        .execute(Tuple.of((double) heartbeatTimeout))
        .map(rows -> {
          List<Conductor> out = new ArrayList<>();
          for (Row r : rows) {
            List<String> d = new ArrayList<>();
            JsonArray a = (JsonArray) r.getValue("drivers");
            a.forEach(x -> d.add(String.valueOf(x)));
            out.add(new Conductor(r.getString("hostname"), r.getString("conductor_group"),
                Boolean.TRUE.equals(r.getBoolean("alive")), d,
                RowJson.formatTime(r.getOffsetDateTime("created_at")),
                RowJson.formatTime(r.getOffsetDateTime("updated_at"))));
          }
          return out;
        });
  }

  /** The alive conductor that owns a node: rendezvous hashing over alive conductors of the node's group. */
  public static String owner(List<Conductor> conductors, String nodeUuid, String driver, String nodeGroup) {
    String best = null;
    long bestScore = Long.MIN_VALUE;
    for (Conductor c : conductors) {
      if (!c.alive() || !c.group().equalsIgnoreCase(nodeGroup == null ? "" : nodeGroup)
          || !c.drivers().contains(driver)) {
        continue;
      }
      long score = mix((c.hostname() + "|" + nodeUuid).hashCode() * 0x9E3779B97F4A7C15L);
      if (score > bestScore) {
        bestScore = score;
        best = c.hostname();
      }
    }
    return best;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

}
