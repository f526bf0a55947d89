package io.anvil.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The console log's format (docs/operations.md#logs): {@code text} or {@code json}. logback.xml starts in the format
 * {@code ANVIL_LOGGING_FORMAT} names (environment or system property); {@link #apply} switches to the configured
 * {@code logging.format} once the configuration is loaded.
 */
public final class LogFormat {
    public static final String TEXT = "text";
    public static final String JSON = "json";

    private LogFormat() {}

    /** Validates a {@code logging.format} value; throws IllegalArgumentException naming the valid ones. */
    public static String parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals(TEXT) && !v.equals(JSON)) {
            throw new IllegalArgumentException("'logging.format' must be text or json, got '" + value + "'");
        }
        return v;
    }

    /**
     * Sets the format of the console appender of logback.xml; returns false when there is none (another logging
     * configuration, such as the tests', decides on its own).
     */
    public static boolean apply(String format) {
        String wanted = parse(format);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        Appender<ILoggingEvent> console =
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
        if (console instanceof OutputStreamAppender<ILoggingEvent> out
                && out.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> encoder
                && encoder.getLayout() instanceof ConsoleLayout layout) {
            layout.setFormat(wanted);
            return true;
        }
        return false;
    }
}
