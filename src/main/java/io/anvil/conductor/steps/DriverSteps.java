package io.anvil.conductor.steps;

import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the steps hardware interfaces declare with {@link CleanStep} / {@link DeployStep} (Ironic's
 * BaseInterface.__new__ gathering decorated methods) and calls them. Declarations are read once per class and checked
 * as Ironic's decorators check them (deploy priority &gt;= 0, every argument described, a usable method shape), so a
 * driver with a bad declaration fails when first loaded, not in the middle of a deploy.
 */
public final class DriverSteps {
    /** One declared step: what it is, and the method that runs it. */
    public record Declared(StepType type, String iface, Step step, Method method) {}

    private static final ClassValue<List<Declared>> BY_CLASS = new ClassValue<>() {
        @Override
        protected List<Declared> computeValue(Class<?> c) {
            return declaredIn(c);
        }
    };

    private DriverSteps() {}

    /**
     * Every step of this type the given interfaces declare, all priorities, in Ironic's interface iteration order
     * (its priority table's order) and declaration order within an interface.
     *
     * @param interfaces interface name ({@code deploy}, {@code power}, ...) to implementation; null values (a
     *     {@code no-*} interface) are skipped
     */
    public static List<Step> collect(StepType type, Map<String, Object> interfaces) {
        List<Step> out = new ArrayList<>();
        for (String iface : ordered(type, interfaces)) {
            for (Declared d : declared(type, iface, interfaces.get(iface))) {
                out.add(d.step());
            }
        }
        return out;
    }

    /** The declared steps of one implementation serving {@code iface}. */
    public static List<Declared> declared(StepType type, String iface, Object impl) {
        if (impl == null) {
            return List.of();
        }
        List<Declared> out = new ArrayList<>();
        for (Declared d : BY_CLASS.get(impl.getClass())) {
            if (d.type() == type) {
                Step s = d.step();
                out.add(new Declared(
                        type,
                        iface,
                        new Step(
                                iface,
                                s.name(),
                                s.priority(),
                                null,
                                s.argsinfo(),
                                s.abortable(),
                                s.requiresRamdisk(),
                                false,
                                false),
                        d.method()));
            }
        }
        return out;
    }

    /** The method behind a step the plan names, if the node's interfaces declare it (else it is an agent step). */
    public static Optional<Declared> find(StepType type, Map<String, Object> interfaces, Step step) {
        return declared(type, step.iface(), interfaces.get(step.iface())).stream()
                .filter(d -> d.step().name().equals(step.name()))
                .findFirst();
    }

    /**
     * Runs a declared step on its implementation: {@code method(task)} or {@code method(task, args)} with the step's
     * arguments ({} when none). A thrown exception becomes a failed future, so the engine has one error path.
     */
    public static Future<Object> invoke(Declared d, Object impl, Object task, Step step) {
        try {
            Object[] params = d.method().getParameterCount() == 1
                    ? new Object[] {task}
                    : new Object[] {task, step.args() == null ? new JsonObject() : step.args()};
            @SuppressWarnings("unchecked")
            Future<Object> f = (Future<Object>) d.method().invoke(impl, params);
            return f == null
                    ? Future.failedFuture(new IllegalStateException(d.step().id() + " returned null"))
                    : f;
        } catch (InvocationTargetException e) {
            return Future.failedFuture(e.getCause());
        } catch (IllegalAccessException | RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static List<String> ordered(StepType type, Map<String, Object> interfaces) {
        List<String> names = new ArrayList<>(interfaces.keySet());
        names.sort(
                Comparator.comparingInt((String i) -> type.interfacePriority().getOrDefault(i, 0))
                        .reversed());
        return names;
    }

    private static List<Declared> declaredIn(Class<?> c) {
        List<Method> methods = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if ((m.isAnnotationPresent(CleanStep.class) || m.isAnnotationPresent(DeployStep.class))
                        && methods.stream().noneMatch(x -> x.getName().equals(m.getName()))) {
                    methods.add(m);
                }
            }
        }
        // getDeclaredMethods has no defined order: sort by name so every conductor builds the same lists
        methods.sort(Comparator.comparing(Method::getName));
        List<Declared> out = new ArrayList<>();
        for (Method m : methods) {
            CleanStep clean = m.getAnnotation(CleanStep.class);
            if (clean != null) {
                checkShape(c, m);
                out.add(new Declared(
                        StepType.CLEAN,
                        null,
                        new Step(
                                "",
                                nameOf(clean.name(), m),
                                clean.priority(),
                                null,
                                argsinfo(c, m, clean.argsinfo()),
                                clean.abortable(),
                                clean.requiresRamdisk(),
                                false,
                                false),
                        m));
            }
            DeployStep deploy = m.getAnnotation(DeployStep.class);
            if (deploy != null) {
                checkShape(c, m);
                if (deploy.priority() < 0) {
                    throw new IllegalStateException(where(c, m) + ": \"priority\" must be an integer value >= 0, "
                            + "instead of \"" + deploy.priority() + "\"");
                }
                out.add(new Declared(
                        StepType.DEPLOY,
                        null,
                        new Step(
                                "",
                                nameOf(deploy.name(), m),
                                deploy.priority(),
                                null,
                                argsinfo(c, m, deploy.argsinfo()),
                                deploy.abortable(),
                                null,
                                false,
                                false),
                        m));
            }
        }
        return List.copyOf(out);
    }

    private static void checkShape(Class<?> c, Method m) {
        int n = m.getParameterCount();
        if (!Future.class.isAssignableFrom(m.getReturnType())
                || n < 1
                || n > 2
                || (n == 2 && m.getParameterTypes()[1] != JsonObject.class)
                || Modifier.isStatic(m.getModifiers())) {
            throw new IllegalStateException(where(c, m) + ": a step method is an instance method returning a Future "
                    + "and taking (task) or (task, JsonObject args)");
        }
        m.setAccessible(true);
    }

    private static JsonObject argsinfo(Class<?> c, Method m, StepArg[] args) {
        if (args.length == 0) {
            return null;
        }
        JsonObject out = new JsonObject();
        for (StepArg a : args) {
            if (a.description().isBlank()) {
                throw new IllegalStateException(
                        where(c, m) + ": Argument \"" + a.name() + "\" is missing a " + "\"description\".");
            }
            if (out.containsKey(a.name())) {
                throw new IllegalStateException(where(c, m) + ": argument \"" + a.name() + "\" is declared twice");
            }
            out.put(
                    a.name(),
                    new JsonObject().put("description", a.description()).put("required", a.required()));
        }
        return out;
    }

    /** The explicit name, or the method name in snake_case ({@code eraseDevicesMetadata} → erase_devices_metadata). */
    static String nameOf(String explicit, Method m) {
        if (!explicit.isEmpty()) {
            return explicit;
        }
        return m.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String where(Class<?> c, Method m) {
        return c.getName() + "." + m.getName();
    }
}
