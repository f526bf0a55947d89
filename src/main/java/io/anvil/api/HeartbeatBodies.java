package io.anvil.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;

/**
 * The heartbeat body as agents send it, read in one streaming pass (no tree, no map): a JSON object whose members are
 * all known heartbeat fields with string or null values. Anything else (not JSON, not an object, an unknown field, a
 * non-string value, trailing content) answers null and the caller takes the general path, which owns the error
 * messages, so this is only ever a faster way to the same result.
 */
final class HeartbeatBodies {
    /** Ironic's heartbeat arguments (ramdisk.py HeartbeatController.post), in the order of the parsed array. */
    static final List<String> FIELDS = List.of(
            "callback_url", "agent_version", "agent_token", "agent_verify_ca", "agent_status", "agent_status_message");

    static final int CALLBACK_URL = 0;
    static final int AGENT_VERSION = 1;
    static final int AGENT_TOKEN = 2;
    static final int AGENT_VERIFY_CA = 3;
    static final int AGENT_STATUS = 4;
    static final int AGENT_STATUS_MESSAGE = 5;

    private static final JsonFactory JSON = new JsonFactory();

    private HeartbeatBodies() {}

    /** The six fields (absent and null alike: null), or null when the body needs the general path. */
    static String[] parse(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        String[] fields = new String[FIELDS.size()];
        try (JsonParser p = JSON.createParser(body.getBytes())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                int i = FIELDS.indexOf(p.currentName());
                if (i < 0) {
                    return null;
                }
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    fields[i] = p.getText(); // a repeated member: the last wins, as in the general path's map
                } else if (value == JsonToken.VALUE_NULL) {
                    fields[i] = null;
                } else {
                    return null;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return fields;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
