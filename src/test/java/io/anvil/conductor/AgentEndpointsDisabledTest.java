package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code api.enable_ramdisk_endpoints: false}: lookup, heartbeat and continue_inspection answer 403 (Ironic's HTTPForbidden), before any version check. */
class AgentEndpointsDisabledTest extends AgentTestSupport {
    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("api.enable_ramdisk_endpoints", false);
    }

    @Test
    void lookupAndHeartbeatAreForbidden() {
        String[] n = nodeWithPort("wait call-back", null);
        Resp lookup = lookup("addresses=" + n[1], "1.62");
        assertEquals(403, lookup.status(), lookup::toString);
        assertEquals(
                "Access was denied to the following resource: /v1/lookup",
                lookup.fault().getString("faultstring"));
        Resp hb = heartbeat(n[0], "1.1", hb("http://10.0.0.1:9999", "t", "1"));
        assertEquals(403, hb.status(), hb::toString);
        assertEquals(
                "Access was denied to the following resource: /v1/heartbeat/" + n[0],
                hb.fault().getString("faultstring"));
        assertNull(internal(n[0]).getValue("agent_secret_token"));
    }

    @Test
    void continueInspectionIsForbidden() {
        String[] n = nodeWithPort("inspect wait", null);
        Resp r = call(
                io.vertx.core.http.HttpMethod.POST,
                "/v1/continue_inspection",
                null,
                AgentInspectTest.agentData(n[1], null, null));
        assertEquals(403, r.status(), r::toString);
        assertEquals(
                "Access was denied to the following resource: /v1/continue_inspection",
                r.fault().getString("faultstring"));
        assertEquals("inspect wait", node(n[0]).get("provision_state"));
    }
}
