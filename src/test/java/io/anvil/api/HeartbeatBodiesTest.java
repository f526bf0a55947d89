package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class HeartbeatBodiesTest {
    private static String[] parse(String body) {
        return HeartbeatBodies.parse(Buffer.buffer(body));
    }

    @Test
    void theAgentsShapeIsReadInOnePass() {
        assertArrayEquals(
                new String[] {"http://10.0.0.5:9999", "10.0", "tok", "PEM", "start", "hello \u00e9\n"},
                parse("{\"callback_url\":\"http://10.0.0.5:9999\",\"agent_version\":\"10.0\",\"agent_token\":\"tok\","
                        + "\"agent_verify_ca\":\"PEM\",\"agent_status\":\"start\","
                        + "\"agent_status_message\":\"hello \\u00e9\\n\"}"));
        assertArrayEquals(
                new String[] {"u", null, null, null, null, null},
                parse(" { \"callback_url\" : \"u\", \"agent_token\": null } "));
        // a repeated member: the last wins, as in the general path's map
        assertArrayEquals(
                new String[] {"b", null, null, null, null, null},
                parse("{\"callback_url\":\"a\",\"callback_url\":\"b\"}"));
        assertArrayEquals(new String[6], parse("{}"));
    }

    @Test
    void everyOtherShapeGoesToTheGeneralPathWhichOwnsTheErrors() {
        for (String body : new String[] {
            "",
            "[1]",
            "\"x\"",
            "not json",
            "{\"callback_url\":\"u\"",
            "{\"callback_url\":\"u\"} {}",
            "{\"callback_url\":\"u\",}",
            "{\"callback_url\":42}",
            "{\"callback_url\":true}",
            "{\"agent_token\":{\"a\":1}}",
            "{\"agent_token\":[\"a\"]}",
            "{\"callback_url\":\"u\",\"foo\":\"x\"}",
            "{'callback_url':'u'}",
            "{\"callback_url\":\"u\" /* c */}"
        }) {
            assertNull(parse(body), body);
        }
        assertNull(HeartbeatBodies.parse(null));
    }
}
