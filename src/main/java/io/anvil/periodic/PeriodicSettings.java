package io.anvil.periodic;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the {@code spacing} and {@code enabled} of a {@link Periodic} annotation: either a literal, or the name
 * of a configuration setting (flat keys as in {@code conf/anvil.yaml}, e.g. {@code conductor.sync_power_state_interval}).
 * A name that is neither a literal nor a known setting is an error at collection time, so a typo never silently
 * disables a task.
 */
@FunctionalInterface
public interface PeriodicSettings {
    Pattern DURATION = Pattern.compile("^\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?\\s*$");

    /** The value of {@code key}, if such a setting exists. */
    Optional<Object> value(String key);

    static PeriodicSettings of(Map<String, ?> values) {
        return key -> Optional.ofNullable(values.get(key));
    }

    /** A literal duration, or the duration held by the setting named {@code spec}. */
    default Duration duration(String spec) {
        Optional<Duration> literal = parseDuration(spec);
        if (literal.isPresent()) {
            return literal.get();
        }
        Object v = value(spec)
                .orElseThrow(() -> new IllegalArgumentException(
                        "periodic spacing '" + spec + "' is neither a duration nor a known setting"));
        return toDuration(spec, v);
    }

    /** A literal boolean, or the setting named {@code spec}: a boolean, or a number (enabled when positive). */
    default boolean enabled(String spec) {
        if ("true".equalsIgnoreCase(spec.trim())) {
            return true;
        }
        if ("false".equalsIgnoreCase(spec.trim())) {
            return false;
        }
        Object v = value(spec)
                .orElseThrow(() -> new IllegalArgumentException(
                        "periodic enabled '" + spec + "' is neither true/false nor a known setting"));
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Duration d) {
            return d.toNanos() > 0;
        }
        if (v instanceof Number n) {
            return n.doubleValue() > 0;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        return parseDuration(s)
                .map(d -> d.toNanos() > 0)
                .orElseThrow(() -> new IllegalArgumentException("setting '" + spec + "' is not a boolean: " + v));
    }

    /** A number of seconds (fractions allowed), a Duration, or a string such as {@code 200ms}. */
    static Duration toDuration(String key, Object v) {
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Number n) {
            return Duration.ofNanos(Math.round(n.doubleValue() * 1_000_000_000d));
        }
        return parseDuration(String.valueOf(v))
                .orElseThrow(() -> new IllegalArgumentException("setting '" + key + "' is not a duration: " + v));
    }

    /** {@code 200ms}, {@code 60s}, {@code 5m}, {@code 1h}, or a bare number of seconds. */
    static Optional<Duration> parseDuration(String s) {
        if (s == null) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos =
                switch (unit) {
                    case "ms" -> n * 1e6;
                    case "m" -> n * 60e9;
                    case "h" -> n * 3600e9;
                    default -> n * 1e9;
                };
        return Optional.of(Duration.ofNanos(Math.round(nanos)));
    }
}
