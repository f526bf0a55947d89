package io.anvil.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code %anvilContext} in the text pattern: the request's fields as {@code [request_id=req-… node_uuid=…] }, or
 * nothing outside a request.
 */
public final class ContextConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>(4);
        LogContext.fields(fields);
        if (fields.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("[");
        fields.forEach((k, v) ->
                b.append(b.length() > 1 ? " " : "").append(k).append('=').append(v));
        return b.append("] ").toString();
    }
}
