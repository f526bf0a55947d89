package io.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.errors.AnvilException;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generic store against a real PostgreSQL (a fresh database, migrated): inserts, finds by uuid/name/id, updates
 * (plain and fenced), deletes, row versions, Ironic's conflict messages, and list queries with filters, sorting,
 * limits and marker paging (NULL sort values included).
 */
class ResourceStoreTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static Database db;
    private static ResourceStore store;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        db = Database.connect(vertx, TestServices.freshDatabase(), 4, 2);
        store = new ResourceStore(db);
    }

    @AfterAll
    static void stop() {
        await(db.close());
        await(vertx.close());
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(T.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within " + T, e);
        }
    }

    private static JsonObject insertNode(Map<String, Object> extra) {
        Map<String, Object> cols = new HashMap<>();
        cols.put("uuid", UUID.randomUUID());
        cols.put("driver", "fake-hardware");
        cols.put("provision_state", "enroll");
        cols.putAll(extra);
        return await(store.insert(db.reads(), Resources.NODE, cols));
    }

    @Test
    void insertedNodeIsFoundByUuidNameAndIdAsTheApiReadsIt() {
        String name = "node-" + UUID.randomUUID();
        JsonObject node = insertNode(Map.of(
                "name", name, "extra", new JsonObject().put("rack", 4), "properties", new JsonObject().put("cpus", 8)));
        String uuid = node.getString("uuid");
        assertEquals(uuid.toLowerCase(), uuid, "UUIDs come back as canonical strings");
        assertEquals(name, node.getString("name"));
        assertEquals(new JsonObject().put("rack", 4), node.getJsonObject("extra"), "jsonb comes back as JSON");
        assertEquals("enroll", node.getString("provision_state"));
        assertEquals(false, node.getBoolean("maintenance"), "column default");
        assertTrue(
                node.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00"),
                "Ironic's isoformat: " + node.getString("created_at"));
        assertFalse(node.containsKey("conductor_affinity"), "bookkeeping columns stay in the store");

        assertEquals(node, await(store.find(Resources.NODE, uuid)));
        assertEquals(node, await(store.find(Resources.NODE, uuid.toUpperCase().replace("-", ""))), "any UUID form");
        assertEquals(node, await(store.find(Resources.NODE, name)));
        assertEquals(node, await(store.findById(db.reads(), Resources.NODE, node.getLong("id"))));
        assertNull(await(store.find(Resources.NODE, UUID.randomUUID().toString())));
        assertNull(await(store.find(Resources.NODE, "no-such-name")));
        assertNull(
                await(store.find(Resources.VOLUME_CONNECTOR, "no-such-name")),
                "an unnamed resource is never looked up by name");
    }

    @Test
    void findByIdsReturnsOnlyTheRowsThatExist() {
        JsonObject a = insertNode(Map.of());
        JsonObject b = insertNode(Map.of());
        List<JsonObject> found =
                new ArrayList<>(await(store.findByIds(Resources.NODE, List.of(a.getLong("id"), b.getLong("id"), -1L))));
        found.sort(Comparator.comparing(o -> o.getLong("id")));
        assertEquals(
                List.of(a.getString("uuid"), b.getString("uuid")),
                found.stream().map(o -> o.getString("uuid")).toList());
    }

    @Test
    void uniqueAndNotNullViolationsAreIronicsMessages() {
        String name = "dup-" + UUID.randomUUID();
        JsonObject node = insertNode(Map.of("name", name));

        AnvilException dupName = assertThrows(AnvilException.class, () -> insertNode(Map.of("name", name)));
        assertEquals(409, dupName.status());
        assertEquals("A node with name " + name + " already exists.", dupName.getMessage());

        UUID uuid = UUID.fromString(node.getString("uuid"));
        AnvilException dupUuid = assertThrows(AnvilException.class, () -> insertNode(Map.of("uuid", uuid)));
        assertEquals(409, dupUuid.status());
        assertEquals("A node with UUID " + uuid + " already exists.", dupUuid.getMessage());

        Map<String, Object> noDriver = new HashMap<>();
        noDriver.put("uuid", UUID.randomUUID());
        noDriver.put("provision_state", "enroll");
        AnvilException missing =
                assertThrows(AnvilException.class, () -> await(store.insert(db.reads(), Resources.NODE, noDriver)));
        assertEquals(400, missing.status());
        assertEquals("Invalid value for field 'driver' of node: it must not be null.", missing.getMessage());

        String mac = "52:54:00:" + String.format("%02x", (int) (Math.random() * 256)) + ":00:01";
        Map<String, Object> port = new HashMap<>();
        port.put("uuid", UUID.randomUUID());
        port.put("address", mac);
        port.put("node_id", node.getLong("id"));
        JsonObject stored = await(store.insert(db.reads(), Resources.PORT, port));
        assertEquals(node.getString("uuid"), stored.getString("node_uuid"), "the reference comes back as a UUID");
        Map<String, Object> samePort = new HashMap<>(port);
        samePort.put("uuid", UUID.randomUUID());
        AnvilException dupMac =
                assertThrows(AnvilException.class, () -> await(store.insert(db.reads(), Resources.PORT, samePort)));
        assertEquals(409, dupMac.status());
        assertEquals("A port with MAC address " + mac + " already exists.", dupMac.getMessage());

        AnvilException renameClash = assertThrows(
                AnvilException.class,
                () -> await(store.update(
                        db.reads(), Resources.NODE, insertNode(Map.of()).getLong("id"), Map.of("name", name))));
        assertEquals(409, renameClash.status(), "updates translate conflicts too");
    }

    @Test
    void updateWritesTheColumnsAndUpdatedAtAndChangesTheRowVersion() {
        JsonObject node = insertNode(Map.of());
        long id = node.getLong("id");
        String uuid = node.getString("uuid");
        assertNull(node.getValue("updated_at"));
        Long before = await(store.rowVersion(Resources.NODE, uuid));
        assertNotNull(before);

        JsonObject unchanged = await(store.update(db.reads(), Resources.NODE, id, Map.of()));
        assertEquals(node, unchanged, "no columns: nothing written");

        OffsetDateTime at = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 6000, ZoneOffset.ofHours(2));
        Map<String, Object> cols = new HashMap<>();
        cols.put("maintenance", true);
        cols.put("maintenance_reason", "firmware");
        cols.put("provision_updated_at", at);
        cols.put("driver_info", new JsonObject().put("ipmi_address", "10.0.0.1"));
        cols.put("last_error", null);
        JsonObject updated = await(store.update(db.reads(), Resources.NODE, id, cols));
        assertEquals(true, updated.getBoolean("maintenance"));
        assertEquals("firmware", updated.getString("maintenance_reason"));
        assertEquals("2026-01-02T01:04:05.000006+00:00", updated.getString("provision_updated_at"), "stored in UTC");
        assertEquals("10.0.0.1", updated.getJsonObject("driver_info").getString("ipmi_address"));
        assertNotNull(updated.getValue("updated_at"));
        assertNotEquals(before, await(store.rowVersion(Resources.NODE, uuid)), "xmin moves with every update");
        assertNull(await(store.rowVersion(Resources.NODE, UUID.randomUUID().toString())));
        assertNull(await(store.rowVersion(Resources.VOLUME_CONNECTOR, "no-such-name")));
    }

    @Test
    void guardedUpdateWritesOnlyWhileTheFenceHolds() {
        JsonObject node = insertNode(Map.of());
        long id = node.getLong("id");
        await(db.reads()
                .preparedQuery("UPDATE nodes SET lock_fence = 7 WHERE id = $1")
                .execute(io.vertx.sqlclient.Tuple.of(id)));

        assertNull(
                await(store.updateGuarded(
                        db.reads(),
                        Resources.NODE,
                        id,
                        Map.of("provision_state", "manageable"),
                        RowGuard.of("lock_fence = ?", 6L))),
                "a stale fence writes nothing");
        assertEquals(
                "enroll",
                await(store.find(Resources.NODE, node.getString("uuid"))).getString("provision_state"));

        JsonObject written = await(store.updateGuarded(
                db.reads(),
                Resources.NODE,
                id,
                Map.of("provision_state", "manageable"),
                RowGuard.of("lock_fence = ?", 7L)));
        assertEquals("manageable", written.getString("provision_state"));
        assertEquals(7L, written.getLong("lock_fence"));
    }

    @Test
    void findForUpdateLocksTheRowInsideATransaction() {
        JsonObject node = insertNode(Map.of());
        JsonObject inTx = await(db.inTransaction(tx -> store.findForUpdate(tx, Resources.NODE, node.getString("uuid"))
                .compose(row -> store.update(
                        tx, Resources.NODE, row.getLong("id"), Map.of("extra", new JsonObject().put("seen", true))))));
        assertEquals(true, inTx.getJsonObject("extra").getBoolean("seen"));
        assertNull(await(db.inTransaction(tx -> store.findForUpdate(tx, Resources.NODE, "absent"))));
    }

    @Test
    void deleteReportsWhetherARowWent() {
        JsonObject node = insertNode(Map.of());
        assertTrue(await(store.delete(db.reads(), Resources.NODE, node.getLong("id"))));
        assertFalse(await(store.delete(db.reads(), Resources.NODE, node.getLong("id"))));
        assertNull(await(store.find(Resources.NODE, node.getString("uuid"))));
    }

    // ---------------------------------------------------------------- list queries

    /** Six nodes of one list, names b, a, NULL, c, NULL, a2 in insertion (id) order; the driver marks the set. */
    private static List<JsonObject> listFixture(String driver) {
        List<JsonObject> out = new ArrayList<>();
        String[] names = {"b", "a", null, "c", null, "a2"};
        for (String n : names) {
            Map<String, Object> cols = new HashMap<>();
            cols.put("driver", driver);
            if (n != null) {
                cols.put("name", driver + "-" + n);
            }
            out.add(insertNode(cols));
        }
        return out;
    }

    private static ListQuery ofDriver(String driver) {
        ListQuery q = new ListQuery();
        return q.where("t.driver = " + q.param(driver));
    }

    private static List<String> names(List<JsonObject> rows, String driver) {
        return rows.stream()
                .map(r ->
                        r.getString("name") == null ? "-" : r.getString("name").substring(driver.length() + 1))
                .toList();
    }

    @Test
    void listFiltersAndSortsWithNullsLastAscendingFirstDescending() {
        String driver = "list-" + UUID.randomUUID().toString().substring(0, 8);
        listFixture(driver);
        assertEquals(
                List.of("b", "a", "-", "c", "-", "a2"),
                names(await(store.list(Resources.NODE, ofDriver(driver))), driver),
                "default: by id");
        assertEquals(
                List.of("a", "a2", "b", "c", "-", "-"),
                names(await(store.list(Resources.NODE, ofDriver(driver).sort("name", false))), driver));
        assertEquals(
                List.of("-", "-", "c", "b", "a2", "a"),
                names(await(store.list(Resources.NODE, ofDriver(driver).sort("name", true))), driver));
        assertEquals(
                List.of("a", "a2"),
                names(
                        await(store.list(
                                Resources.NODE,
                                ofDriver(driver).sort("name", false).limit(2))),
                        driver));
        ListQuery two = ofDriver(driver);
        two.where("t.name LIKE " + two.param(driver + "-a%"));
        assertEquals(List.of("a", "a2"), names(await(store.list(Resources.NODE, two.sort("name", false))), driver));
        assertEquals(List.of(), await(store.list(Resources.NODE, ofDriver("no-such-driver"))));
    }

    @Test
    void markerPagingVisitsEveryRowOnceInEveryOrder() {
        String driver = "page-" + UUID.randomUUID().toString().substring(0, 8);
        List<JsonObject> rows = listFixture(driver);
        for (String key : List.of("id", "name", "created_at")) {
            for (boolean desc : List.of(false, true)) {
                List<JsonObject> whole = await(store.list(
                        Resources.NODE, ofDriver(driver).sort(key, desc).limit(100)));
                for (int pageSize : List.of(1, 2, 4)) {
                    List<JsonObject> paged = new ArrayList<>();
                    ListQuery q = ofDriver(driver).sort(key, desc).limit(pageSize);
                    List<JsonObject> page = await(store.list(Resources.NODE, q));
                    while (!page.isEmpty()) {
                        paged.addAll(page);
                        String last = page.get(page.size() - 1).getString("uuid");
                        q.after(await(store.findRaw(Resources.NODE, last, key)));
                        page = await(store.list(Resources.NODE, q));
                        assertTrue(paged.size() <= rows.size(), "paging never repeats: " + key + " " + desc);
                    }
                    assertEquals(
                            uuids(whole),
                            uuids(paged),
                            "sort " + key + (desc ? " desc" : " asc") + ", pages of " + pageSize);
                }
                assertEquals(rows.size(), whole.size());
            }
        }
    }

    private static List<String> uuids(List<JsonObject> rows) {
        return rows.stream().map(r -> r.getString("uuid")).toList();
    }

    @Test
    void columnsReadsOnlyTheNamedColumnsPlusIdAndUuid() {
        String driver = "cols-" + UUID.randomUUID().toString().substring(0, 8);
        listFixture(driver);
        List<JsonObject> rows =
                await(store.list(Resources.NODE, ofDriver(driver).columns(List.of("name", "uuid"))));
        assertEquals(6, rows.size());
        for (JsonObject r : rows) {
            assertTrue(r.containsKey("id") && r.containsKey("uuid") && r.containsKey("name"), r.encode());
            assertFalse(r.containsKey("driver"), "not asked for: " + r.encode());
        }
    }

    @Test
    void childResourcesListWithTheirParentsUuid() {
        JsonObject node = insertNode(Map.of());
        Map<String, Object> vc = new HashMap<>();
        vc.put("uuid", UUID.randomUUID());
        vc.put("node_id", node.getLong("id"));
        vc.put("type", "iqn");
        vc.put("connector_id", "iqn.2026-01.org.example:" + UUID.randomUUID());
        vc.put("extra", new JsonObject());
        await(store.insert(db.reads(), Resources.VOLUME_CONNECTOR, vc));
        ListQuery q = new ListQuery();
        q.where("t.node_id = " + q.param(node.getLong("id")));
        List<JsonObject> found = await(store.list(Resources.VOLUME_CONNECTOR, q));
        assertEquals(1, found.size());
        assertEquals(node.getString("uuid"), found.get(0).getString("node_uuid"));
        assertFalse(found.get(0).containsKey("node_id"), "the numeric reference stays in the store");
    }
}
