package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /v1/nodes and /v1/nodes/detail over 25 fixture nodes: filters, fields, pagination and sorting. This class
 * never adds or removes nodes after the fixture, so every expected set is exact.
 */
class NodeListApiTest extends ApiTestBase {
    private static final int N = 25;
    private static final int MAX_LIMIT = 20;
    private final Map<String, String> uuidByName = new LinkedHashMap<>();
    private String instanceUuid;

    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("api.max_limit", MAX_LIMIT);
    }

    @Override
    protected void prepareDatabase() {
        // nodes in conductor group rack1 need a live conductor there; its keepalive is dated ahead so a slow,
        // busy machine cannot let it go stale (10 s) before the fixture has created its nodes
        sql("INSERT INTO conductors (hostname, conductor_group, drivers, updated_at) VALUES "
                + "('rack1-host', 'rack1', '[\"ipmi\", \"fake-hardware\"]', now() + interval '1 hour')");
    }

    private static String name(int i) {
        return String.format("list-%02d", i);
    }

    @BeforeAll
    void fixture() {
        instanceUuid = UUID.randomUUID().toString();
        for (int i = 0; i < N; i++) {
            JsonObject body =
                    new JsonObject().put("name", name(i)).put("driver", i % 3 == 0 ? "ipmi" : "fake-hardware");
            if (i % 5 == 0) {
                body.put("resource_class", "gold");
            } else if (i % 5 == 1) {
                body.put("resource_class", "silver");
            }
            if (i < 4) {
                body.put("conductor_group", "Rack1");
            }
            if (i % 4 == 0) {
                body.put("owner", "alice");
            }
            if (i % 6 == 0) {
                body.put("lessee", "bob");
            } else if (i == 7) {
                body.put("lessee", "alice");
            }
            if (i == 13) {
                body.put("description", "the quick brown fox");
            } else if (i == 14) {
                body.put("description", "100% brown_ish");
            }
            if (i == 11) {
                body.put("instance_uuid", instanceUuid);
            }
            uuidByName.put(name(i), createNode(body).getString("uuid"));
        }
        for (int i : List.of(2, 9, 17)) {
            put("/v1/nodes/" + name(i) + "/maintenance", new JsonObject().put("reason", "r" + i))
                    .v(LATEST)
                    .expect(202);
        }
        sql("UPDATE nodes SET fault = 'power failure' WHERE name = ?", name(9));
        sql("UPDATE nodes SET provision_state = 'manageable' WHERE name IN (?, ?)", name(5), name(6));
    }

    /** Follows {@code next} links from {@code path} and returns every item, failing on a loop. */
    private List<JsonObject> walk(String path) {
        List<JsonObject> all = new ArrayList<>();
        String next = path;
        for (int pages = 0; next != null; pages++) {
            assertTrue(pages <= N, "too many pages from " + path);
            JsonObject page = get(next).v(LATEST).expect(200).json();
            page.getJsonArray("nodes").forEach(o -> all.add((JsonObject) o));
            String link = page.getString("next");
            if (link != null) {
                assertTrue(link.startsWith(base + "/v1/nodes"), link);
                next = link.substring(base.length());
            } else {
                next = null;
            }
        }
        return all;
    }

    private Set<String> names(String query) {
        Set<String> out = new TreeSet<>();
        for (JsonObject n : walk("/v1/nodes" + query)) {
            out.add(n.getString("name"));
        }
        return out;
    }

    private static Set<String> namesOf(int... indexes) {
        Set<String> out = new TreeSet<>();
        for (int i : indexes) {
            out.add(name(i));
        }
        return out;
    }

    private Set<String> namesWhere(java.util.function.IntPredicate p) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            if (p.test(i)) {
                out.add(name(i));
            }
        }
        return out;
    }

    // ---- shapes ----

    @Test
    void plainListShowsDefaultFieldsAndLinks() {
        JsonObject page = get("/v1/nodes?limit=5").v(LATEST).expect(200).json();
        JsonArray nodes = page.getJsonArray("nodes");
        assertEquals(5, nodes.size());
        for (Object o : nodes) {
            JsonObject n = (JsonObject) o;
            assertEquals(
                    Set.of("uuid", "name", "instance_uuid", "maintenance", "power_state", "provision_state", "links"),
                    n.fieldNames());
            assertLinks(n.getJsonArray("links"), "nodes/" + n.getString("uuid"));
        }
        assertEquals(name(0), nodes.getJsonObject(0).getString("name"));
        assertEquals(uuidByName.get(name(0)), nodes.getJsonObject(0).getString("uuid"));
    }

    @Test
    void plainListAtOnePointOneHidesName() {
        JsonObject n = get("/v1/nodes?limit=1")
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .getJsonObject(0);
        assertEquals(
                Set.of("uuid", "instance_uuid", "maintenance", "power_state", "provision_state", "links"),
                n.fieldNames());
    }

    @Test
    void detailShowsEverythingVisible() {
        JsonObject n = get("/v1/nodes/detail?limit=1")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .getJsonObject(0);
        String uuid = n.getString("uuid");
        assertEquals(name(0), n.getString("name"));
        assertEquals("ipmi", n.getString("driver"));
        assertEquals("ipmitool", n.getString("power_interface"));
        assertEquals("gold", n.getString("resource_class"));
        assertEquals("rack1", n.getString("conductor_group"));
        assertEquals("alice", n.getString("owner"));
        assertEquals("bob", n.getString("lessee"));
        assertTrue(n.containsKey("driver_info") && n.containsKey("created_at") && n.containsKey("conductor"));
        assertLinks(n.getJsonArray("links"), "nodes/" + uuid);
        for (String sub : List.of("ports", "portgroups", "states", "volume")) {
            assertLinks(n.getJsonArray(sub), "nodes/" + uuid + "/" + sub);
        }
        JsonObject viaParam = get("/v1/nodes?detail=true&limit=1")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .getJsonObject(0);
        assertEquals(n.fieldNames(), viaParam.fieldNames());
        // the same node at 1.1 in detail: only 1.1 fields
        JsonObject old = get("/v1/nodes/detail?limit=1")
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .getJsonObject(0);
        assertFalse(
                old.containsKey("name") || old.containsKey("resource_class") || old.containsKey("portgroups"),
                old::encode);
        assertTrue(old.containsKey("driver_info"));
    }

    @Test
    void fieldsSelectsColumns() {
        JsonArray nodes = get("/v1/nodes?fields=uuid,driver,resource_class&limit=3")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes");
        assertEquals(3, nodes.size());
        for (Object o : nodes) {
            assertEquals(Set.of("uuid", "driver", "resource_class", "links"), ((JsonObject) o).fieldNames());
        }
        assertEquals("gold", nodes.getJsonObject(0).getString("resource_class"));
        assertError(get("/v1/nodes?fields=uuid,nonsense").v(LATEST).send(), 400, "nonsense");
        // a field newer than the requested version is invalid too
        assertError(get("/v1/nodes?fields=uuid,owner").v("1.49").send(), 400, "owner");
        assertError(get("/v1/nodes?fields=uuid&detail=true").v(LATEST).send(), 400, "fields");
        assertError(get("/v1/nodes/detail?fields=uuid").v(LATEST).send(), 400, "fields");
        assertError(get("/v1/nodes/detail?detail=false").v(LATEST).send(), 400, "detail");
    }

    // ---- filters ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "?maintenance=true|2,9,17",
                "?provision_state=manageable|5,6",
                "?resource_class=gold|0,5,10,15,20",
                "?conductor_group=rack1|0,1,2,3",
                "?conductor_group=RACK1|0,1,2,3",
                "?owner=alice|0,4,8,12,16,20,24",
                "?lessee=bob|0,6,12,18,24",
                "?lessee=alice|7",
                "?project=alice|0,4,7,8,12,16,20,24",
                "?project=bob|0,6,12,18,24",
                "?description_contains=brown|13,14",
                "?description_contains=100%25|14",
                "?description_contains=_ish|14",
                "?description_contains=brown_|14",
                "?fault=power%20failure|9",
                "?associated=true|11",
                "?associated=True&maintenance=false|11",
                "?resource_class=silver&owner=alice|16",
                "?driver=ipmi&resource_class=gold|0,15",
                "?owner=nobody|",
            })
    void filters(String query, String expected) {
        Set<String> want = new TreeSet<>();
        if (expected != null) {
            for (String s : expected.split(",")) {
                want.add(name(Integer.parseInt(s.trim())));
            }
        }
        assertEquals(want, names(query), query);
    }

    @Test
    void filtersThatSpanPages() {
        assertEquals(namesWhere(i -> i % 3 == 0), names("?driver=ipmi"));
        assertEquals(namesWhere(i -> i % 3 != 0), names("?driver=fake-hardware"));
        assertEquals(namesWhere(i -> i != 2 && i != 9 && i != 17), names("?maintenance=false"));
        assertEquals(namesWhere(i -> i != 11), names("?associated=false"));
        assertEquals(namesWhere(i -> i != 5 && i != 6), names("?provision_state=enroll"));
        assertEquals(namesOf(11), names("?instance_uuid=" + instanceUuid));
        assertEquals(Set.of(), names("?instance_uuid=" + UUID.randomUUID()));
    }

    @Test
    void badFilterValuesAre400() {
        assertError(get("/v1/nodes?maintenance=perhaps").v(LATEST).send(), 400, "maintenance");
        assertError(get("/v1/nodes?associated=2").v(LATEST).send(), 400, "associated");
        assertError(get("/v1/nodes?instance_uuid=not-a-uuid").v(LATEST).send(), 400, "instance_uuid");
        assertError(get("/v1/nodes?colour=blue").v(LATEST).send(), 400, "colour");
        assertError(get("/v1/nodes?provision_state=asleep").v(LATEST).send(), 400, "asleep");
        assertError(get("/v1/nodes?fault=gremlins").v(LATEST).send(), 400, "gremlins");
    }

    /** Each filter is 406 one microversion before Ironic added it, and accepted from that version on. */
    @ParameterizedTest(name = "{0} from 1.{1}")
    @CsvSource({
        "provision_state=manageable,9",
        "driver=ipmi,16",
        "resource_class=gold,21",
        "fault=power%20failure,42",
        "conductor_group=rack1,46",
        "conductor=nowhere,49",
        "owner=alice,50",
        "description_contains=brown,51",
        "retired=false,61",
        "lessee=bob,65"
    })
    void filtersNeedTheirMicroversion(String filter, int minor) {
        assertError(get("/v1/nodes?" + filter).v("1." + (minor - 1)).send(), 406, "1." + minor);
        get("/v1/nodes?" + filter).v("1." + minor).expect(200);
    }

    // ---- pagination ----

    @Test
    void limitDefaultsToAndIsCappedAtMaxLimit() {
        JsonObject all = get("/v1/nodes").v(LATEST).expect(200).json();
        assertEquals(MAX_LIMIT, all.getJsonArray("nodes").size());
        String last = all.getJsonArray("nodes").getJsonObject(MAX_LIMIT - 1).getString("uuid");
        assertEquals(base + "/v1/nodes?limit=" + MAX_LIMIT + "&marker=" + last, all.getString("next"));
        JsonObject capped = get("/v1/nodes?limit=500").v(LATEST).expect(200).json();
        assertEquals(MAX_LIMIT, capped.getJsonArray("nodes").size());
    }

    @Test
    void nextOnlyOnAFullPage() {
        JsonObject p1 = get("/v1/nodes?limit=10").v(LATEST).expect(200).json();
        JsonArray n1 = p1.getJsonArray("nodes");
        assertEquals(10, n1.size());
        String marker = n1.getJsonObject(9).getString("uuid");
        assertEquals(uuidByName.get(name(9)), marker);
        assertEquals(base + "/v1/nodes?limit=10&marker=" + marker, p1.getString("next"));
        JsonObject p3 = get("/v1/nodes?limit=10&marker=" + uuidByName.get(name(19)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(5, p3.getJsonArray("nodes").size());
        assertEquals(name(20), p3.getJsonArray("nodes").getJsonObject(0).getString("name"));
        assertFalse(p3.containsKey("next"), p3::encode);
        // a partial filtered page has no next either
        JsonObject gold = get("/v1/nodes?resource_class=gold&limit=10")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(5, gold.getJsonArray("nodes").size());
        assertFalse(gold.containsKey("next"));
        // the next link keeps the other query parameters
        JsonObject desc = get("/v1/nodes/detail?sort_dir=desc&limit=3")
                .v(LATEST)
                .expect(200)
                .json();
        String next = desc.getString("next");
        assertNotNull(next);
        assertTrue(next.startsWith(base + "/v1/nodes/detail?"), next);
        assertTrue(
                next.contains("sort_dir=desc")
                        && next.contains("limit=3")
                        && next.contains("marker=" + uuidByName.get(name(22))),
                next);
    }

    @Test
    void badPaginationParameters() {
        assertError(get("/v1/nodes?limit=0").v(LATEST).send(), 400, "Limit must be positive");
        assertError(get("/v1/nodes?limit=-3").v(LATEST).send(), 400, "Limit must be positive");
        assertError(get("/v1/nodes?limit=ten").v(LATEST).send(), 400, "limit");
        String unknown = UUID.randomUUID().toString();
        assertError(get("/v1/nodes?marker=" + unknown).v(LATEST).send(), 404, unknown);
        assertError(get("/v1/nodes?marker=list-03").v(LATEST).send(), 400, "marker");
        assertError(get("/v1/nodes?sort_key=driver_info").v(LATEST).send(), 400, "driver_info");
        assertError(
                get("/v1/nodes?sort_key=bogus").v(LATEST).send(),
                400,
                "The sort_key value \"bogus\" is an invalid field for sorting");
        assertError(
                get("/v1/nodes?sort_dir=up").v(LATEST).send(),
                400,
                "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'");
    }

    @Test
    void sortByNameBothWays() {
        List<String> asc = new ArrayList<>();
        get("/v1/nodes?sort_key=name&limit=5")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .forEach(o -> asc.add(((JsonObject) o).getString("name")));
        assertEquals(List.of(name(0), name(1), name(2), name(3), name(4)), asc);
        List<String> desc = new ArrayList<>();
        get("/v1/nodes?sort_key=name&sort_dir=desc&limit=5")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes")
                .forEach(o -> desc.add(((JsonObject) o).getString("name")));
        assertEquals(List.of(name(24), name(23), name(22), name(21), name(20)), desc);
    }

    @ParameterizedTest(name = "[{index}] sort{0}")
    @CsvSource({
        "''",
        "'&sort_dir=asc'",
        "'&sort_dir=desc'",
        "'&sort_key=name'",
        "'&sort_key=name&sort_dir=desc'",
        "'&sort_key=resource_class'",
        "'&sort_key=resource_class&sort_dir=desc'",
        "'&sort_key=owner&sort_dir=desc'",
        "'&sort_key=provision_state'",
        "'&sort_key=created_at&sort_dir=desc'",
    })
    void walkingAllPagesReturnsEachNodeExactlyOnce(String sort) {
        List<JsonObject> all = walk("/v1/nodes?limit=10" + sort);
        List<String> uuids = new ArrayList<>();
        all.forEach(n -> uuids.add(n.getString("uuid")));
        assertEquals(N, uuids.size(), () -> "got " + uuids);
        assertEquals(new HashSet<>(uuidByName.values()), new HashSet<>(uuids));
        // and in the requested order
        if (sort.contains("sort_key=name")) {
            List<String> names = new ArrayList<>();
            all.forEach(n -> names.add(n.getString("name")));
            List<String> sorted = new ArrayList<>(new TreeSet<>(names));
            if (sort.contains("desc")) {
                java.util.Collections.reverse(sorted);
            }
            assertEquals(sorted, names);
        } else if (sort.isEmpty() || sort.equals("&sort_dir=asc")) {
            assertEquals(new ArrayList<>(uuidByName.values()), uuids);
        } else if (sort.equals("&sort_dir=desc")) {
            List<String> reversed = new ArrayList<>(uuidByName.values());
            java.util.Collections.reverse(reversed);
            assertEquals(reversed, uuids);
        }
    }

    @Test
    void walkingWithAFilterAndLimitOne() {
        List<JsonObject> all = walk("/v1/nodes?owner=alice&limit=1&sort_dir=desc");
        List<String> names = new ArrayList<>();
        all.forEach(n -> names.add(n.getString("name")));
        assertEquals(List.of(name(24), name(20), name(16), name(12), name(8), name(4), name(0)), names);
    }
}
