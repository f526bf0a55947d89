package io.anvil.metrics;

import java.util.function.ToDoubleFunction;

/** Records nothing; every facet is a shared constant, so code that reports costs one virtual call. */
final class NoopMetrics
        implements AnvilMetrics,
                HttpMetrics,
                HttpMetrics.Route,
                LockMetrics,
                IpmiMetrics,
                PeriodicMetrics,
                PeriodicMetrics.Task,
                FeedMetrics,
                FeedMetrics.Transport {
    static final NoopMetrics INSTANCE = new NoopMetrics();

    private NoopMetrics() {}

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
    public <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value, String... tags) {}

    @Override
    public <T> void counter(String name, String help, T source, ToDoubleFunction<T> value, String... tags) {}

    @Override
    public String scrape() {
        return "";
    }

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public Route route(String method, String template) {
        return this;
    }

    @Override
    public void record(int status, long nanos) {}

    @Override
    public void waited(boolean granted, long nanos) {}

    @Override
    public void handedOff(long nanos) {}

    @Override
    public void queueLength(int length) {}

    @Override
    public void operation(String operation, String outcome, long nanos) {}

    @Override
    public Task task(String name) {
        return this;
    }

    @Override
    public void ran(long nanos, boolean failed, boolean overran) {}

    @Override
    public Transport transport(String name) {
        return this;
    }

    @Override
    public void opened() {}

    @Override
    public void closed() {}

    @Override
    public void sent() {}

    @Override
    public void cutOff(int dropped) {}

    @Override
    public void missed(int events) {}
}
