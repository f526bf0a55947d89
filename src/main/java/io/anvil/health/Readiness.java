package io.anvil.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether this conductor can do its work now (docs/operations.md#health): start-up finished (every verticle deployed,
 * periodic tasks running; false again once a stop begins) and each dependency answers a probe — PostgreSQL a
 * {@code SELECT 1}, Redis a {@code PING} on the lock service's own connection. Probes run concurrently, each bounded
 * by a timeout, so a hung dependency makes the answer "not ready" instead of a hung health check. Thread-safe.
 */
public final class Readiness {
    /** The check that stands for start-up and shutdown. */
    public static final String STARTUP = "startup";

    private final BooleanSupplier started;
    private final Duration timeout;
    private final Map<String, Supplier<Future<?>>> probes = new LinkedHashMap<>();

    public Readiness(BooleanSupplier started, Duration timeout) {
        this.started = started;
        this.timeout = timeout;
    }

    /** Adds a dependency probe; a failed or late future means "not ready". Call before serving. */
    public Readiness probe(String name, Supplier<Future<?>> probe) {
        probes.put(name, probe);
        return this;
    }

    /** One check's outcome; {@code reason} is null when ready. */
    public record Check(String name, boolean ready, String reason) {}

    /** The outcome of every check. */
    public record Report(List<Check> checks) {
        public boolean ready() {
            return checks.stream().allMatch(Check::ready);
        }

        /**
         * {@code {"status": "ready"|"not ready", "checks": {name: {"ready": bool, "reason": ...}}, "not_ready":
         * [names]}}.
         */
        public JsonObject toJson() {
            JsonObject each = new JsonObject();
            JsonArray notReady = new JsonArray();
            for (Check c : checks) {
                JsonObject o = new JsonObject().put("ready", c.ready());
                if (!c.ready()) {
                    o.put("reason", c.reason());
                    notReady.add(c.name());
                }
                each.put(c.name(), o);
            }
            return new JsonObject()
                    .put("status", ready() ? "ready" : "not ready")
                    .put("checks", each)
                    .put("not_ready", notReady);
        }
    }

    /** Runs every probe; never fails. */
    public Future<Report> check() {
        List<Future<Check>> all = new ArrayList<>();
        all.add(Future.succeededFuture(
                started.getAsBoolean()
                        ? new Check(STARTUP, true, null)
                        : new Check(STARTUP, false, "start-up has not finished, or the conductor is stopping")));
        probes.forEach((name, probe) -> all.add(run(name, probe)));
        return Future.join(all).transform(ar -> {
            List<Check> checks = new ArrayList<>();
            for (Future<Check> f : all) {
                checks.add(f.result());
            }
            return Future.succeededFuture(new Report(checks));
        });
    }

    private Future<Check> run(String name, Supplier<Future<?>> probe) {
        Future<?> f;
        try {
            f = probe.get();
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        if (f == null) {
            f = Future.failedFuture("not connected yet");
        }
        return f.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .transform(ar -> Future.succeededFuture(
                        ar.succeeded() ? new Check(name, true, null) : new Check(name, false, reason(ar.cause()))));
    }

    private static String reason(Throwable t) {
        String m = t.getMessage();
        String text = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        return io.anvil.util.Secrets.maskText(text);
    }
}
