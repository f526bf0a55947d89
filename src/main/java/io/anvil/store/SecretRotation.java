package io.anvil.store;

import io.anvil.secrets.SecretBox;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Re-encrypts the secrets of every node under the active key, and counts them (docs/security.md#rotating-the-key):
 * {@code anvil secrets rotate} and {@code anvil secrets check}. Blocking JDBC, like {@link Migrations}: the CLI runs
 * it, never an event loop. Nodes go in batches by id, each batch one transaction holding its rows
 * ({@code FOR UPDATE}), so a conductor writing one of them waits a moment and then writes on top of the re-encrypted
 * row, and nothing it writes is lost. Values already under the active key are left alone: a second run, or a run
 * resumed after an interruption, only does what is left. Plaintext values (from before encryption) are encrypted.
 */
public final class SecretRotation {
    private static final String SELECT = "SELECT id, uuid::text, driver_info::text, instance_info::text,"
            + " driver_internal_info::text FROM nodes WHERE id > ? ORDER BY id LIMIT ? FOR UPDATE";
    private static final String UPDATE =
            "UPDATE nodes SET driver_info = ?::jsonb, instance_info = ?::jsonb, driver_internal_info = ?::jsonb"
                    + " WHERE id = ?";

    /** After each batch: nodes visited so far of {@code total}, and how many of them were rewritten. */
    public record Progress(long visited, long total, long rewritten) {}

    /** A secret dropped because it could not be decrypted (only when asked to). */
    public record Dropped(String node, String reason) {}

    private final DatabaseUrl url;
    private final SecretBox box;

    public SecretRotation(DatabaseUrl url, SecretBox box) {
        this.url = url;
        this.box = box;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    }

    /**
     * Re-encrypts every node's secrets under the active key.
     *
     * @param dropped null: a value that cannot be decrypted stops the run (its batch rolled back, earlier batches
     *                kept) with {@link SecretBox.Unreadable}; otherwise such values are removed and reported here
     */
    public Progress rotate(int batchSize, Consumer<Progress> progress, Consumer<Dropped> dropped) throws SQLException {
        if (!box.encrypts()) {
            throw new IllegalStateException("no secrets key is configured: there is nothing to encrypt with");
        }
        try (Connection c = connect()) {
            long total = count(c);
            long visited = 0;
            long rewritten = 0;
            long lastId = 0;
            c.setAutoCommit(false);
            while (true) {
                List<Object[]> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(SELECT)) {
                    ps.setLong(1, lastId);
                    ps.setInt(2, Math.max(1, batchSize));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Object[] {
                                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
                            });
                        }
                    }
                }
                if (rows.isEmpty()) {
                    c.commit();
                    break;
                }
                try (PreparedStatement up = c.prepareStatement(UPDATE)) {
                    for (Object[] r : rows) {
                        String owner = "node " + r[1];
                        String[] docs = new String[3];
                        boolean changed = false;
                        for (int i = 0; i < 3; i++) {
                            String text = (String) r[2 + i];
                            JsonObject doc = text == null ? null : new JsonObject(text);
                            JsonObject out = box.reseal(
                                    doc,
                                    SecretBox.NODE_COLUMNS.get(i),
                                    owner,
                                    dropped == null
                                            ? null
                                            : e -> dropped.accept(new Dropped((String) r[1], e.getMessage())));
                            changed |= out != null;
                            docs[i] = out != null ? out.encode() : text;
                        }
                        if (changed) {
                            up.setString(1, docs[0]);
                            up.setString(2, docs[1]);
                            up.setString(3, docs[2]);
                            up.setLong(4, (Long) r[0]);
                            up.addBatch();
                            rewritten++;
                        }
                    }
                    up.executeBatch();
                } catch (RuntimeException | SQLException e) {
                    c.rollback();
                    throw e;
                }
                c.commit();
                visited += rows.size();
                lastId = (Long) rows.get(rows.size() - 1)[0];
                progress.accept(new Progress(visited, Math.max(total, visited), rewritten));
            }
            return new Progress(visited, Math.max(total, visited), rewritten);
        }
    }

    /** Counts the secret values of every node: by key id, or "plaintext". Reads in pages; no lock is taken. */
    public Census census(int batchSize) throws SQLException {
        Map<String, Integer> counts = SecretBox.newCounts();
        long nodes = 0;
        try (Connection c = connect()) {
            long lastId = 0;
            while (true) {
                int n = 0;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, driver_info::text, instance_info::text, driver_internal_info::text FROM nodes"
                                + " WHERE id > ? ORDER BY id LIMIT ?")) {
                    ps.setLong(1, lastId);
                    ps.setInt(2, Math.max(1, batchSize));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            lastId = rs.getLong(1);
                            for (int i = 2; i <= 4; i++) {
                                String text = rs.getString(i);
                                SecretBox.count(text == null ? null : new JsonObject(text), counts);
                            }
                        }
                    }
                }
                if (n == 0) {
                    break;
                }
                nodes += n;
            }
        }
        return new Census(nodes, counts);
    }

    /** Nodes counted and their secret values by key id ("plaintext" for values stored in clear). */
    public record Census(long nodes, Map<String, Integer> values) {}

    private static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM nodes");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
