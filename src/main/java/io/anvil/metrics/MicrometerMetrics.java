package io.anvil.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * {@link AnvilMetrics} on a Micrometer {@link PrometheusMeterRegistry}. Meters are registered once (per route, per
 * periodic task, per feed transport) and kept in holders, so recording is a few atomic increments. Histograms use
 * fixed buckets (Prometheus' {@code _bucket} series) chosen per kind of latency. Thread-safe.
 */
public final class MicrometerMetrics
        implements AnvilMetrics, HttpMetrics, LockMetrics, IpmiMetrics, PeriodicMetrics, FeedMetrics, AutoCloseable {

    /** What {@code GET /metrics} answers with: Prometheus' text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] HTTP_BUCKETS =
            millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    private static final Duration[] LOCK_BUCKETS =
            millis(1, 5, 10, 50, 100, 500, 1000, 3000, 10000, 30000, 60000, 300000, 1800000);
    private static final Duration[] IPMI_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000);
    private static final Duration[] PERIODIC_BUCKETS =
            millis(10, 50, 100, 500, 1000, 5000, 10000, 30000, 60000, 300000, 600000);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
    private final Timer lockGranted;
    private final Timer lockGaveUp;
    private final Timer handOff;
    private final DistributionSummary queueLength;
    private final ConcurrentHashMap<String, Timer> ipmiOperations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Task> tasks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Transport> transports = new ConcurrentHashMap<>();
    private final Counter feedMissed;

    public MicrometerMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
        lockGranted = lockWait("granted");
        lockGaveUp = lockWait("gave_up");
        handOff = Timer.builder("anvil.lock.handoff")
                .description("From the wake-up a release sent to a queued waiter of this conductor until its grant")
                .serviceLevelObjectives(LOCK_BUCKETS)
                .register(registry);
        queueLength = DistributionSummary.builder("anvil.lock.queue.length")
                .description("Length of a node's lock queue seen by an acquire that was not granted at once")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 500)
                .register(registry);
        feedMissed = Counter.builder("anvil.feed.events.missed")
                .description(
                        "Events committed after the feed had passed their sequence number (found by the gap audit)")
                .register(registry);
    }

    private Timer lockWait(String outcome) {
        return Timer.builder("anvil.lock.wait")
                .description("Time queued acquires (bounded and patient) waited for a node lock, by outcome")
                .tag("outcome", outcome)
                .serviceLevelObjectives(LOCK_BUCKETS)
                .register(registry);
    }

    private static Duration[] millis(double... ms) {
        Duration[] d = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            d[i] = Duration.ofNanos(Math.round(ms[i] * 1_000_000));
        }
        return d;
    }

    /** The underlying registry, for binders this class does not know. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public HttpMetrics http() {
        return this;
    }

    @Override
    public LockMetrics locks() {
        return this;
    }

    @Override
    public IpmiMetrics ipmi() {
        return this;
    }

    @Override
    public PeriodicMetrics periodics() {
        return this;
    }

    @Override
    public FeedMetrics feed() {
        return this;
    }

    @Override
    public <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value, String... tags) {
        Gauge.builder(name, source, value).description(help).tags(tags).register(registry);
    }

    @Override
    public void removeGauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        if (g != null) {
            registry.remove(g);
        }
    }

    @Override
    public <T> void counter(String name, String help, T source, ToDoubleFunction<T> value, String... tags) {
        FunctionCounter.builder(name, source, value)
                .description(help)
                .tags(tags)
                .register(registry);
    }

    @Override
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    public HttpMetrics.Route route(String method, String template) {
        return routes.computeIfAbsent(method + " " + template, k -> new Route(method, template));
    }

    /** One timer per status code seen, made on first use and then found by array index. */
    private final class Route implements HttpMetrics.Route {
        private final String method;
        private final String template;
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(600);

        Route(String method, String template) {
            this.method = method;
            this.template = template;
        }

        @Override
        public void record(int status, long nanos) {
            int s = status < 100 || status > 599 ? 599 : status;
            Timer t = byStatus.get(s);
            if (t == null) {
                t = Timer.builder("anvil.http.server.requests")
                        .description("API requests by method, route template and status")
                        .tags("method", method, "route", template, "status", Integer.toString(s))
                        .serviceLevelObjectives(HTTP_BUCKETS)
                        .register(registry);
                byStatus.set(s, t);
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    // ---------------------------------------------------------------- locks

    @Override
    public void waited(boolean granted, long nanos) {
        (granted ? lockGranted : lockGaveUp).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handedOff(long nanos) {
        handOff.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueLength(int length) {
        queueLength.record(length);
    }

    // ---------------------------------------------------------------- IPMI

    @Override
    public void operation(String operation, String outcome, long nanos) {
        ipmiOperations
                .computeIfAbsent(operation + '\n' + outcome, k -> Timer.builder("anvil.ipmi.operations")
                        .description("IPMI operations (one or more commands on one BMC) by operation and outcome")
                        .tags("operation", operation, "outcome", outcome)
                        .serviceLevelObjectives(IPMI_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- periodic tasks

    @Override
    public PeriodicMetrics.Task task(String name) {
        return tasks.computeIfAbsent(name, Task::new);
    }

    private final class Task implements PeriodicMetrics.Task {
        private final Timer duration;
        private final Counter failures;
        private final Counter overruns;

        Task(String name) {
            duration = Timer.builder("anvil.periodic.duration")
                    .description("Duration of periodic task runs")
                    .tag("task", name)
                    .serviceLevelObjectives(PERIODIC_BUCKETS)
                    .register(registry);
            failures = Counter.builder("anvil.periodic.failures")
                    .description("Periodic task runs that failed")
                    .tag("task", name)
                    .register(registry);
            overruns = Counter.builder("anvil.periodic.overruns")
                    .description("Periodic task runs that took longer than the task's spacing")
                    .tag("task", name)
                    .register(registry);
        }

        @Override
        public void ran(long nanos, boolean failed, boolean overran) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
            if (failed) {
                failures.increment();
            }
            if (overran) {
                overruns.increment();
            }
        }
    }

    // ---------------------------------------------------------------- feed

    @Override
    public FeedMetrics.Transport transport(String name) {
        return transports.computeIfAbsent(name, Transport::new);
    }

    @Override
    public void missed(int events) {
        feedMissed.increment(events);
    }

    private final class Transport implements FeedMetrics.Transport {
        private final AtomicInteger open = new AtomicInteger();
        private final Counter sent;
        private final Counter dropped;
        private final Counter cutOffs;

        Transport(String name) {
            Gauge.builder("anvil.feed.subscribers", open, AtomicInteger::get)
                    .description("Event feed subscribers connected now")
                    .tag("transport", name)
                    .register(registry);
            sent = Counter.builder("anvil.feed.events.sent")
                    .description("Events delivered to feed subscribers")
                    .tag("transport", name)
                    .register(registry);
            dropped = Counter.builder("anvil.feed.events.dropped")
                    .description("Events not delivered to a subscriber whose buffer was full")
                    .tag("transport", name)
                    .register(registry);
            cutOffs = Counter.builder("anvil.feed.cutoffs")
                    .description("Subscribers closed because they could not keep up")
                    .tag("transport", name)
                    .register(registry);
        }

        @Override
        public void opened() {
            open.incrementAndGet();
        }

        @Override
        public void closed() {
            open.decrementAndGet();
        }

        @Override
        public void sent() {
            sent.increment();
        }

        @Override
        public void cutOff(int events) {
            cutOffs.increment();
            dropped.increment(events);
        }
    }
}
