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
                new String[] {"http://10.0.0.5:9999", "10.0", "tok", "PEM", "start", "all done: 3/3 steps"},
                parse("{\"callback_url\":\"http://10.0.0.5:9999\",\"agent_version\":\"10.0\",\"agent_token\":\"tok\","
                        + "\"agent_verify_ca\":\"PEM\",\"agent_status\":\"start\","
                        + "\"agent_status_message\":\"all done: 3/3 steps\"}"));
        assertArrayEquals(
                new String[] {"", null, null, null, null, null}, parse("\r\n{\t\"callback_url\"\n:\"\"\r}\n"));
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
            "{\"callback_url\":\"u\" /* c */}",
            "{\"callback_url\":nul}",
            "{\"callback_url\":nullx}",
            "{\"callback_url\":\"u\",\"callback_url\"}",
            "{,}",
            "{\"callback_url\" \"u\"}",
            // escapes, control characters and non-ASCII text: valid JSON, but the general path decodes them
            "{\"agent_status_message\":\"a\\nb\"}",
            "{\"agent_status_message\":\"a\\\"b\"}",
            "{\"agent_status_message\":\"caf\u00e9\"}",
            "{\"agent_status_message\":\"a\tb\"}",
            "{\"callback\\u005furl\":\"u\"}",
            "{\"callback_url\":\"u\"}x"
        }) {
            assertNull(parse(body), body);
        }
        assertNull(HeartbeatBodies.parse(null));
    }
}
