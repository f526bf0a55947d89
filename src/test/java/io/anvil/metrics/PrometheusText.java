package io.anvil.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4: every line is empty, a comment ({@code # HELP},
 * {@code # TYPE} or other {@code #} text) or a sample {@code name{label="value",...} value [timestamp]}. Anything else
 * fails the parse, naming the line.
 */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (-?[0-9.]+(?:[eE][+-]?[0-9]+)?|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)");

    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("# TYPE") && !TYPE.matcher(line).matches()) {
                    throw new AssertionError("line " + (i + 1) + ": bad TYPE comment: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + (i + 1) + " is neither a comment nor a sample: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            String body = m.group(3);
            if (body != null && !body.isEmpty()) {
                Matcher l = LABEL.matcher(body);
                int at = 0;
                while (at < body.length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new AssertionError("line " + (i + 1) + ": bad labels: " + line);
                    }
                    labels.put(l.group(1), l.group(2));
                    at = l.end();
                    if (at < body.length()) {
                        if (body.charAt(at) != ',') {
                            throw new AssertionError("line " + (i + 1) + ": bad label separator: " + line);
                        }
                        at++;
                    }
                }
            }
            String v = m.group(4);
            double value =
                    switch (v) {
                        case "+Inf" -> Double.POSITIVE_INFINITY;
                        case "-Inf" -> Double.NEGATIVE_INFINITY;
                        default -> Double.parseDouble(v);
                    };
            out.add(new Sample(m.group(1), labels, value));
        }
        return new PrometheusText(out);
    }

    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    List<Sample> samples(String name, Predicate<Sample> filter) {
        return samples(name).stream().filter(filter).toList();
    }

    /** The sum of the samples of {@code name} whose labels include every pair of {@code labels}; fails if none. */
    public double value(String name, String... labels) {
        List<Sample> match = samples(name, s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.label(labels[i]))) {
                    return false;
                }
            }
            return true;
        });
        if (match.isEmpty()) {
            throw new AssertionError(
                    "no series " + name + " with " + List.of(labels) + "; series of that name: " + samples(name));
        }
        return match.stream().mapToDouble(Sample::value).sum();
    }

    boolean has(String name) {
        return !samples(name).isEmpty();
    }
}
