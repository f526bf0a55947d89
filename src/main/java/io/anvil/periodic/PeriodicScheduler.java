package io.anvil.periodic;

import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.PeriodicMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Periodic} methods (Ironic's PeriodicWorker with futurist's {@code last_started} strategy, on Vert.x
 * timers). Collects them from registered objects, once per class; the first run is one spacing after
 * {@link #start}; the next starts one spacing after the previous <em>started</em>, or as soon as it finished if it
 * took longer (a task never overlaps itself), and such an overrun is logged as a warning and counted. Parallel tasks
 * run under a global cap ({@code conductor.periodic_max_workers}); the others take turns on one serial lane.
 * {@link #stop} cancels the timers, signals running tasks through {@link PeriodicContext#stopping()}, waits for them
 * (bounded) and starts nothing afterwards.
 */
public final class PeriodicScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicScheduler.class);

    /** One collected, enabled periodic task. */
    public static final class TaskInfo {
        private final String name;
        private final Object target;
        private final Method method;
        private final boolean takesContext;
        private final Duration spacing;
        private final boolean parallel;
        private final PeriodicContext context;
        private final AtomicLong runs = new AtomicLong();
        private final AtomicLong overruns = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private volatile boolean running;
        private volatile long timer = -1;
        private PeriodicMetrics.Task meters = AnvilMetrics.noop().periodics().task("");

        TaskInfo(
                String name,
                Object target,
                Method method,
                boolean takesContext,
                Duration spacing,
                boolean parallel,
                PeriodicContext context) {
            this.name = name;
            this.target = target;
            this.method = method;
            this.takesContext = takesContext;
            this.spacing = spacing;
            this.parallel = parallel;
            this.context = context;
        }

        public String name() {
            return name;
        }

        public Object target() {
            return target;
        }

        public Duration spacing() {
            return spacing;
        }

        public boolean parallel() {
            return parallel;
        }

        /** Completed runs (successful or not). */
        public long runs() {
            return runs.get();
        }

        /** Runs that took longer than the spacing (each logged as a warning). */
        public long overruns() {
            return overruns.get();
        }

        public long failures() {
            return failures.get();
        }

        public boolean running() {
            return running;
        }
    }

    private final Vertx vertx;
    private final PeriodicSettings settings;
    private final int maxParallel;
    private final Duration stopGrace;
    private NodeWalker<?> nodes;
    private PeriodicMetrics metrics = AnvilMetrics.noop().periodics();
    private final Set<Class<?>> classes = new LinkedHashSet<>();
    private final Map<String, TaskInfo> tasks = new LinkedHashMap<>();
    private final List<String> disabled = new ArrayList<>();
    private final Object lock = new Object();
    private final Deque<TaskInfo> waitingParallel = new ArrayDeque<>();
    private final Deque<TaskInfo> waitingSerial = new ArrayDeque<>();
    private final AtomicInteger runningParallel = new AtomicInteger();
    private boolean serialBusy;
    private int inFlight;
    private final Promise<Void> drained = Promise.promise();
    private final Promise<Void> stopSignal = Promise.promise();
    private volatile boolean started;
    private volatile boolean stopping;
    private Future<Void> stopped;

    /**
     * @param maxParallel how many parallel tasks may run at once (Ironic's periodic_max_workers)
     * @param stopGrace   how long {@link #stop} waits for running tasks before completing anyway
     */
    public PeriodicScheduler(Vertx vertx, PeriodicSettings settings, int maxParallel, Duration stopGrace) {
        if (maxParallel < 1) {
            throw new IllegalArgumentException("conductor.periodic_max_workers must be >= 1");
        }
        this.vertx = vertx;
        this.settings = settings;
        this.maxParallel = maxParallel;
        this.stopGrace = stopGrace;
    }

    /** Reports each run's duration, failure and overrun (docs/operations.md#periodic-tasks); call before start. */
    public PeriodicScheduler withMetrics(PeriodicMetrics metrics) {
        this.metrics = metrics;
        return this;
    }

    /** The walker handed to tasks through {@link PeriodicContext#nodes(Class)}. */
    public PeriodicScheduler withNodes(NodeWalker<?> walker) {
        this.nodes = walker;
        return this;
    }

    /**
     * Collects the {@link Periodic} methods of {@code target}'s class (and superclasses). A second object of a class
     * already registered adds nothing (Ironic deduplicates interface instances by class). Returns this.
     */
    public PeriodicScheduler register(Object target) {
        if (started) {
            throw new IllegalStateException("register periodic tasks before start()");
        }
        if (!classes.add(target.getClass())) {
            return this;
        }
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                Periodic p = m.getAnnotation(Periodic.class);
                if (p != null) {
                    collect(target, m, p);
                }
            }
        }
        return this;
    }

    public PeriodicScheduler registerAll(Collection<?> targets) {
        targets.forEach(this::register);
        return this;
    }

    private void collect(Object target, Method m, Periodic p) {
        String name = p.name().isEmpty() ? target.getClass().getSimpleName() + "." + m.getName() : p.name();
        if (Modifier.isStatic(m.getModifiers())
                || !Future.class.isAssignableFrom(m.getReturnType())
                || m.getParameterCount() > 1
                || (m.getParameterCount() == 1 && m.getParameterTypes()[0] != PeriodicContext.class)) {
            throw new IllegalArgumentException("@Periodic method " + name + " must be an instance method returning a "
                    + "Future and taking nothing or a PeriodicContext");
        }
        Duration spacing = settings.duration(p.spacing());
        boolean enabled = settings.enabled(p.enabled());
        if (!enabled || spacing.isZero() || spacing.isNegative()) {
            LOG.info("periodic task {} is disabled (enabled={}, spacing={})", name, enabled, spacing);
            disabled.add(name);
            return;
        }
        if (tasks.containsKey(name)) {
            throw new IllegalArgumentException("two periodic tasks are named " + name);
        }
        m.setAccessible(true);
        tasks.put(
                name,
                new TaskInfo(
                        name,
                        target,
                        m,
                        m.getParameterCount() == 1,
                        spacing,
                        p.parallel(),
                        new PeriodicContext(name, this)));
    }

    /** Arms every collected task; its first run is one spacing from now. */
    public void start() {
        if (started) {
            return;
        }
        started = true;
        if (tasks.size() > maxParallel) {
            LOG.info("{} periodic tasks share {} parallel slots", tasks.size(), maxParallel);
        }
        for (TaskInfo t : tasks.values()) {
            t.meters = metrics.task(t.name);
            arm(t, t.spacing);
            LOG.info("periodic task {} every {} ms{}", t.name, t.spacing.toMillis(), t.parallel ? "" : " (serial)");
        }
    }

    private void arm(TaskInfo t, Duration delay) {
        if (stopping) {
            return;
        }
        long ms = Math.max(1, delay.toMillis());
        t.timer = vertx.setTimer(ms, id -> due(t));
    }

    private void due(TaskInfo t) {
        t.timer = -1;
        synchronized (lock) {
            if (stopping) {
                return;
            }
            if (t.parallel) {
                if (runningParallel.get() >= maxParallel) {
                    waitingParallel.add(t);
                    return;
                }
                runningParallel.incrementAndGet();
            } else {
                if (serialBusy) {
                    waitingSerial.add(t);
                    return;
                }
                serialBusy = true;
            }
            inFlight++;
            t.running = true;
        }
        run(t);
    }

    private void run(TaskInfo t) {
        long start = System.nanoTime();
        Future<?> f;
        try {
            Object r = t.takesContext ? t.method.invoke(t.target, t.context) : t.method.invoke(t.target);
            f = r == null
                    ? Future.failedFuture(new IllegalStateException("returned null instead of a Future"))
                    : (Future<?>) r;
        } catch (InvocationTargetException e) {
            f = Future.failedFuture(e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            f = Future.failedFuture(e);
        }
        f.onComplete(ar -> finished(t, start, ar.failed() ? ar.cause() : null));
    }

    private void finished(TaskInfo t, long startNanos, Throwable failure) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        t.runs.incrementAndGet();
        t.meters.ran(took.toNanos(), failure != null, took.compareTo(t.spacing) > 0);
        if (failure != null) {
            t.failures.incrementAndGet();
            LOG.error("periodic task {} failed: {}", t.name, failure.toString());
        }
        if (took.compareTo(t.spacing) > 0) {
            t.overruns.incrementAndGet();
            LOG.warn(
                    "periodic task {} took {} ms, longer than its spacing of {} ms; its next run starts now",
                    t.name,
                    took.toMillis(),
                    t.spacing.toMillis());
        }
        TaskInfo next;
        boolean drain;
        synchronized (lock) {
            t.running = false;
            inFlight--;
            if (t.parallel) {
                next = stopping ? null : waitingParallel.poll();
                if (next == null) {
                    runningParallel.decrementAndGet();
                }
            } else {
                next = stopping ? null : waitingSerial.poll();
                if (next == null) {
                    serialBusy = false;
                }
            }
            if (next != null) {
                inFlight++;
                next.running = true;
            }
            drain = stopping && inFlight == 0;
        }
        if (drain) {
            drained.tryComplete();
        }
        arm(t, t.spacing.minus(took));
        if (next != null) {
            run(next);
        }
    }

    /**
     * Stops: no run starts after this is called; running tasks see {@link PeriodicContext#stopping()} and are
     * awaited up to the grace period. Idempotent.
     */
    public Future<Void> stop() {
        boolean idle;
        synchronized (lock) {
            if (stopped != null) {
                return stopped;
            }
            stopping = true;
            waitingParallel.clear();
            waitingSerial.clear();
            idle = inFlight == 0;
        }
        stopSignal.tryComplete();
        for (TaskInfo t : tasks.values()) {
            long timer = t.timer;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
        if (idle) {
            drained.tryComplete();
        }
        Promise<Void> p = Promise.promise();
        long guard = vertx.setTimer(Math.max(1, stopGrace.toMillis()), id -> {
            if (p.tryComplete()) {
                LOG.warn("periodic tasks still running after {} ms; stopping without them", stopGrace.toMillis());
            }
        });
        drained.future().onComplete(ar -> {
            vertx.cancelTimer(guard);
            p.tryComplete();
        });
        stopped = p.future();
        return stopped;
    }

    public boolean stopping() {
        return stopping;
    }

    /** Completes when {@link #stop} is called, so long runs can cancel their pending timers at once. */
    public Future<Void> stopSignal() {
        return stopSignal.future();
    }

    /** The enabled tasks, by name. */
    public Map<String, TaskInfo> tasks() {
        return java.util.Collections.unmodifiableMap(tasks);
    }

    public TaskInfo task(String name) {
        TaskInfo t = tasks.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no periodic task " + name + "; have " + tasks.keySet());
        }
        return t;
    }

    /** Names of collected tasks that configuration disabled. */
    public List<String> disabled() {
        return List.copyOf(disabled);
    }

    NodeWalker<?> nodes() {
        return nodes;
    }

    PeriodicSettings settings() {
        return settings;
    }

    Vertx vertx() {
        return vertx;
    }
}
