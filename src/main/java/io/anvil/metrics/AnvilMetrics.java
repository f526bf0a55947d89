package io.anvil.metrics;

import java.util.function.ToDoubleFunction;

/**
 * What Anvil measures, behind one interface (Hono style): components report events to the facets below, or bind a
 * figure they already keep ({@link #gauge}, {@link #counter}) so it is read only when scraped. The Micrometer
 * implementation serves {@code GET /metrics}; {@link #noop()} is for code and tests that do not care.
 * docs/operations.md lists every series.
 *
 * <p>Facets hand out pre-registered meter holders ({@link HttpMetrics#route}, {@link PeriodicMetrics#task}) so hot
 * paths record without building tag sets.
 */
public interface AnvilMetrics {

    /** Measures nothing and serves no scrape. */
    static AnvilMetrics noop() {
        return NoopMetrics.INSTANCE;
    }

    HttpMetrics http();

    LockMetrics locks();

    IpmiMetrics ipmi();

    PeriodicMetrics periodics();

    FeedMetrics feed();

    /**
     * A value read from {@code source} when scraped (queue sizes, sessions open). {@code name} is dotted
     * ({@code anvil.lock.waiters}); tags come in key, value pairs. Registering the same name and tags again is a no-op.
     */
    <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value, String... tags);

    /** Unregisters the gauge of {@code name} and {@code tags} (its source is gone); nothing when there is none. */
    default void removeGauge(String name, String... tags) {}

    /** A monotonic count kept by {@code source} (an AtomicLong of a stats class), read when scraped. */
    <T> void counter(String name, String help, T source, ToDoubleFunction<T> value, String... tags);

    /** The Prometheus text exposition of every meter; empty when nothing is measured. */
    String scrape();

    /** Whether {@link #scrape()} has anything to serve ({@code GET /metrics} answers 404 otherwise). */
    boolean enabled();
}
