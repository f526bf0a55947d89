package io.anvil.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Switches the console log between the two formats of src/main/resources/logback.xml: {@code text} (one readable line)
 * and {@code json} (one JSON object per line, {@link JsonLayout}). logback.xml picks the format at start from
 * {@code ANVIL_LOGGING_FORMAT} (environment or system property); {@link #apply} switches to the one configured in
 * {@code logging.format} once the configuration is loaded.
 */
public final class LogFormat {
    public static final String TEXT = "text";
    public static final String JSON = "json";
    /** The text format's pattern, as in logback.xml. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %anvilContext%msg%n";

    private LogFormat() {}

    /** Validates a {@code logging.format} value; throws IllegalArgumentException naming the valid ones. */
    public static String parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals(TEXT) && !v.equals(JSON)) {
            throw new IllegalArgumentException("'logging.format' must be text or json, got '" + value + "'");
        }
        return v;
    }

    /** Makes the root logger write to the console in {@code format} (text or json) only. */
    public static void apply(String format) {
        String wanted = parse(format);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: its own configuration decides
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(wanted) != null) {
            return;
        }
        LayoutBase<ILoggingEvent> layout;
        if (wanted.equals(JSON)) {
            layout = new JsonLayout();
        } else {
            PatternLayout p = new PatternLayout();
            p.getInstanceConverterMap().put("anvilContext", ContextConverter::new);
            p.setPattern(TEXT_PATTERN);
            layout = p;
        }
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(wanted);
        appender.setEncoder(encoder);
        appender.start();
        root.addAppender(appender);
        Appender<ILoggingEvent> old = root.getAppender(wanted.equals(JSON) ? TEXT : JSON);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
    }
}
