package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version discovery and microversion negotiation: headers on every answer, defaults, latest, 406. */
class VersionDiscoveryApiTest extends ApiTestBase {

    private static void assertVersionHeaders(ApiTestBase.Resp r, String negotiated) {
        assertEquals("1.1", r.header("X-OpenStack-Ironic-API-Minimum-Version"), r::toString);
        assertEquals("1.78", r.header("X-OpenStack-Ironic-API-Maximum-Version"), r::toString);
        assertEquals(negotiated, r.header("X-OpenStack-Ironic-API-Version"), r::toString);
        if (negotiated != null) {
            assertEquals("baremetal " + negotiated, r.header("OpenStack-API-Version"), r::toString);
        }
    }

    private void assertVersionObject(JsonObject v) {
        assertEquals("v1", v.getString("id"));
        assertEquals("CURRENT", v.getString("status"));
        assertEquals("1.1", v.getString("min_version"));
        assertEquals("1.78", v.getString("version"));
        assertEquals(
                new JsonArray().add(new JsonObject().put("href", base + "/v1/").put("rel", "self")),
                v.getJsonArray("links"));
    }

    @Test
    void rootListsTheV1Version() {
        ApiTestBase.Resp r = get("/").expect(200);
        assertVersionHeaders(r, "1.1");
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonObject body = r.json();
        assertEquals("OpenStack Ironic API", body.getString("name"));
        assertVersionObject(body.getJsonObject("default_version"));
        assertEquals(1, body.getJsonArray("versions").size());
        assertVersionObject(body.getJsonArray("versions").getJsonObject(0));
    }

    @Test
    void v1ListsResourcesWithLinks() {
        for (String path : List.of("/v1", "/v1/")) {
            ApiTestBase.Resp r = get(path).expect(200);
            assertVersionHeaders(r, "1.1");
            JsonObject body = r.json();
            assertEquals("v1", body.getString("id"));
            assertEquals(
                    base + "/v1/", body.getJsonArray("links").getJsonObject(0).getString("href"));
            assertEquals("self", body.getJsonArray("links").getJsonObject(0).getString("rel"));
            assertEquals(
                    "application/vnd.openstack.ironic.v1+json",
                    body.getJsonArray("media_types").getJsonObject(0).getString("type"));
            for (String res : List.of("nodes", "ports", "portgroups", "drivers", "volume", "conductors")) {
                assertLinks(body.getJsonArray(res), res);
            }
            assertVersionObject(body.getJsonObject("version"));
        }
    }

    @Test
    void noHeaderMeansOnePointOne() {
        assertVersionHeaders(get("/v1/nodes").expect(200), "1.1");
    }

    @Test
    void latestMeansMaximum() {
        assertVersionHeaders(get("/v1/nodes").v("latest").expect(200), "1.78");
        assertVersionHeaders(get("/v1/nodes").v("LATEST").expect(200), "1.78");
    }

    @Test
    void explicitVersionIsEchoed() {
        assertVersionHeaders(get("/v1/nodes").v("1.31").expect(200), "1.31");
        assertVersionHeaders(get("/v1/nodes").v("1.78").expect(200), "1.78");
    }

    @Test
    void genericOpenStackHeaderIsHonoured() {
        assertVersionHeaders(
                get("/v1/nodes")
                        .header("OpenStack-API-Version", "baremetal 1.40")
                        .expect(200),
                "1.40");
        assertVersionHeaders(
                get("/v1/nodes")
                        .header("OpenStack-API-Version", "baremetal latest")
                        .expect(200),
                "1.78");
        // a header for another service is not ours: the default applies
        assertVersionHeaders(
                get("/v1/nodes").header("OpenStack-API-Version", "compute 2.60").expect(200), "1.1");
        assertError(
                get("/v1/nodes")
                        .header("OpenStack-API-Version", "baremetal 1.99")
                        .send(),
                406,
                "1.99");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.79", "2.1", "0.5", "abc", "1.x", "1", "", "1.1.1", " 1.-3"})
    void outOfRangeOrGarbageIs406WithHeaders(String version) {
        ApiTestBase.Resp r = get("/v1/nodes").v(version).send();
        assertError(r, 406, null);
        assertEquals("1.1", r.header("X-OpenStack-Ironic-API-Minimum-Version"));
        assertEquals("1.78", r.header("X-OpenStack-Ironic-API-Maximum-Version"));
    }

    @Test
    void outOfRangeMessageNamesTheRange() {
        String msg = assertError(get("/v1/nodes").v("1.79").send(), 406, "1.79");
        assertTrue(msg.contains("[1.1, 1.78]"), msg);
    }

    @Test
    void errorsCarryVersionHeaders() {
        ApiTestBase.Resp notFound = get("/v1/nodes/does-not-exist").v("1.40").send();
        assertError(notFound, 404, "does-not-exist");
        assertVersionHeaders(notFound, "1.40");
        ApiTestBase.Resp noRoute = get("/v1/no-such-thing").send();
        assertError(noRoute, 404, null);
        ApiTestBase.Resp badMethod = put("/v1/nodes", new JsonObject()).send();
        assertError(badMethod, 405, null);
    }

    @Test
    void newNodeStartsAvailableBefore111AndEnrollFrom111() {
        JsonObject old = post("/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .expect(201)
                .json();
        assertEquals("available", old.getString("provision_state"));
        JsonObject at110 = post("/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .v("1.10")
                .expect(201)
                .json();
        assertEquals("available", at110.getString("provision_state"));
        JsonObject at111 = post("/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .v("1.11")
                .expect(201)
                .json();
        assertEquals("enroll", at111.getString("provision_state"));
        JsonObject latest = post("/v1/nodes", new JsonObject().put("driver", "fake-hardware"))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals("enroll", latest.getString("provision_state"));
    }

    @Test
    void fieldsNewerThanTheVersionAreHidden() {
        JsonObject created = createNode("hidden-fields");
        String uuid = created.getString("uuid");
        JsonObject v11 = get("/v1/nodes/" + uuid).expect(200).json();
        for (String newer : List.of(
                "name",
                "resource_class",
                "conductor_group",
                "owner",
                "lessee",
                "description",
                "conductor",
                "network_interface",
                "power_interface",
                "bios_interface",
                "traits",
                "fault",
                "protected",
                "retired",
                "boot_mode",
                "network_data",
                "driver_internal_info",
                "portgroups",
                "volume")) {
            assertNoKey(v11, newer);
        }
        assertEquals("fake-hardware", v11.getString("driver"));
        assertTrue(v11.containsKey("ports"));
        JsonObject v20 = get("/v1/nodes/" + uuid).v("1.20").expect(200).json();
        assertEquals("hidden-fields", v20.getString("name"));
        assertEquals("flat", v20.getString("network_interface"));
        assertNoKey(v20, "power_interface");
        assertNoKey(v20, "conductor");
        JsonObject v49 = get("/v1/nodes/" + uuid).v("1.49").expect(200).json();
        assertEquals("anvil-test-versiondiscoveryapitest", v49.getString("conductor"));
        assertEquals("fake", v49.getString("power_interface"));
        assertTrue(v49.containsKey("portgroups") && v49.containsKey("volume"));
        assertNoKey(v49, "lessee");
        // a node cannot be named below 1.5: the field does not exist yet (406, reject_fields_in_newer_versions)
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("name", "x"))
                        .v("1.4")
                        .send(),
                406,
                "name");
        // nor read with fields= below 1.8
        assertError(get("/v1/nodes?fields=uuid").v("1.7").send(), 406, "1.8");
        assertEquals(
                java.util.Set.of("uuid", "links"),
                get("/v1/nodes/" + uuid + "?fields=uuid")
                        .v("1.8")
                        .expect(200)
                        .json()
                        .fieldNames());
    }
}
