package io.anvil.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line (docs/operations.md#logs): {@code timestamp} (ISO-8601, UTC, milliseconds),
 * {@code level}, {@code logger}, {@code thread}, {@code message}, then the request's fields ({@code request_id},
 * {@code global_request_id}, {@code node_uuid}) and any MDC entries, and {@code exception} (the stack trace) when
 * there is one. Written by hand: no JSON library on the logging path.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"timestamp\":\"");
        TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), b);
        b.append('"');
        field(b, "level", event.getLevel().toString());
        field(b, "logger", event.getLoggerName());
        field(b, "thread", event.getThreadName());
        field(b, "message", event.getFormattedMessage());
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            fields.putAll(mdc);
        }
        LogContext.fields(fields);
        for (Map.Entry<String, String> e : fields.entrySet()) {
            field(b, e.getKey(), e.getValue());
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            field(b, "exception", ThrowableProxyUtil.asString(thrown));
        }
        return b.append("}\n").toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"");
        escape(b, name);
        b.append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        escape(b, value);
        b.append('"');
    }

    /** JSON string escaping (RFC 8259 section 7): quotes, backslashes and control characters. */
    static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
