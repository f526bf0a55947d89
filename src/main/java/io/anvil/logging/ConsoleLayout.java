package io.anvil.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;

/**
 * The console's layout (src/main/resources/logback.xml): {@code text}, one readable line with the request's fields
 * ({@link ContextConverter}), or {@code json}, one object per line ({@link JsonLayout}). One appender with a switchable
 * layout, so {@link LogFormat#apply} changes the format in place once the configuration is loaded.
 */
public final class ConsoleLayout extends LayoutBase<ILoggingEvent> {
    /** The text format's pattern. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %anvilContext%msg%n";

    private final PatternLayout text = new PatternLayout();
    private final JsonLayout json = new JsonLayout();
    private volatile boolean useJson;

    /** {@code text} or {@code json}; set from logback.xml, then by {@link LogFormat#apply}. */
    public void setFormat(String format) {
        useJson = LogFormat.JSON.equals(LogFormat.parse(format));
    }

    public String getFormat() {
        return useJson ? LogFormat.JSON : LogFormat.TEXT;
    }

    @Override
    public void start() {
        text.setContext(getContext());
        text.getInstanceConverterMap().put("anvilContext", ContextConverter::new);
        text.setPattern(TEXT_PATTERN);
        text.start();
        json.setContext(getContext());
        json.start();
        super.start();
    }

    @Override
    public void stop() {
        text.stop();
        json.stop();
        super.stop();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        return useJson ? json.doLayout(event) : text.doLayout(event);
    }
}
