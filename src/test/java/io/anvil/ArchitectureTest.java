package io.anvil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout of docs/architecture.md, enforced: a top-level package of {@code io.anvil} may use packages on
 * its own level or below, never above, and no two packages may depend on each other through any path. A reference
 * is an import or a fully qualified name in code (comments and string literals do not count). A new top-level
 * package fails this test until it is added to {@link #LEVELS} on purpose.
 */
class ArchitectureTest {
    /** The root package ({@code io.anvil.Anvil}, the composition root). */
    static final String ROOT = "(io.anvil)";

    /** Top to bottom; a package may depend on its own level and the levels below it. Keep in step with the docs. */
    static final List<List<String>> LEVELS = List.of(
            List.of(ROOT, "cli"),
            List.of("api", "sim"),
            List.of("agent", "upkeep", "auth", "limits"),
            List.of("conductor"),
            List.of("driver", "events", "cluster", "lock", "store", "fsm", "periodic", "health"),
            List.of("ipmi", "redfish"),
            List.of("config", "errors", "util", "metrics", "logging", "secrets"));

    private static final Path MAIN = Path.of("src/main/java/io/anvil");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.anvil\\.([A-Za-z_][A-Za-z0-9_]*)");

    @Test
    void mainCodeKeepsTheLayout() throws IOException {
        Map<String, Map<String, String>> deps = dependencies(MAIN);
        assertTrue(deps.containsKey("conductor") && deps.containsKey(ROOT), "scanned " + deps.keySet());
        List<String> problems = violations(deps);
        assertTrue(problems.isEmpty(), "package layout broken:\n  " + String.join("\n  ", problems));
    }

    /** The check itself: it must see an upward arrow, a cycle on one level, and a package nobody placed. */
    @Test
    void theCheckCatchesUpwardArrowsCyclesAndUnknownPackages() {
        Map<String, Map<String, String>> deps = new TreeMap<>();
        deps.put("conductor", Map.of("api", "conductor/X.java"));
        deps.put("lock", Map.of("store", "lock/A.java"));
        deps.put("store", Map.of("cluster", "store/B.java"));
        deps.put("cluster", Map.of("lock", "cluster/C.java"));
        deps.put("gadgets", Map.of("util", "gadgets/D.java"));
        List<String> problems = violations(deps);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("unknown top-level package 'gadgets'"), problems.get(0));
        assertTrue(problems.get(1).startsWith("upward arrow conductor -> api"), problems.get(1));
        assertTrue(problems.get(2).startsWith("cycle cluster -> lock -> store -> cluster"), problems.get(2));
        assertTrue(violations(Map.of("api", Map.of("conductor", "api/E.java"))).isEmpty());
    }

    /** Problems in a dependency map (package -> used package -> one file that uses it), in a stable order. */
    static List<String> violations(Map<String, Map<String, String>> deps) {
        Map<String, Integer> level = new HashMap<>();
        for (int i = 0; i < LEVELS.size(); i++) {
            for (String p : LEVELS.get(i)) {
                level.put(p, i);
            }
        }
        List<String> unknown = new ArrayList<>();
        List<String> upward = new ArrayList<>();
        Set<String> all = new LinkedHashSet<>(new TreeMap<>(deps).keySet());
        deps.values().forEach(m -> all.addAll(new TreeMap<>(m).keySet()));
        for (String p : all) {
            if (!level.containsKey(p)) {
                String where = deps.containsKey(p)
                        ? " (e.g. " + deps.get(p).values().iterator().next() + ")"
                        : "";
                unknown.add("unknown top-level package '" + p + "'" + where
                        + ": place it in ArchitectureTest.LEVELS and docs/architecture.md");
            }
        }
        new TreeMap<>(deps).forEach((from, uses) -> new TreeMap<>(uses).forEach((to, file) -> {
            if (level.containsKey(from) && level.containsKey(to) && level.get(to) < level.get(from)) {
                upward.add("upward arrow " + from + " -> " + to + " (" + file + ")");
            }
        }));
        List<String> out = new ArrayList<>(unknown);
        out.addAll(upward);
        out.addAll(cycles(deps));
        return out;
    }

    /** One line per strongly connected group of two or more packages (Tarjan), naming one cycle through it. */
    static List<String> cycles(Map<String, Map<String, String>> deps) {
        Map<String, Set<String>> graph = new TreeMap<>();
        deps.forEach((from, uses) -> graph.put(from, new TreeMap<>(uses).keySet()));
        List<String> out = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        List<String> stack = new ArrayList<>();
        int[] counter = {0};
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                tarjan(start, graph, index, low, stack, counter, out, deps);
            }
        }
        return out;
    }

    private static void tarjan(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            List<String> stack,
            int[] counter,
            List<String> out,
            Map<String, Map<String, String>> deps) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                tarjan(w, graph, index, low, stack, counter, out, deps);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> group = new ArrayList<>(stack.subList(stack.indexOf(v), stack.size()));
            stack.subList(stack.indexOf(v), stack.size()).clear();
            if (group.size() > 1) {
                out.add("cycle " + cycleThrough(group, graph, deps));
            }
        }
    }

    /** The shortest cycle through the group's first package (by name), with one file per arrow. */
    private static String cycleThrough(
            List<String> group, Map<String, Set<String>> graph, Map<String, Map<String, String>> deps) {
        String first = group.stream().sorted().findFirst().orElseThrow();
        Map<String, String> parent = new HashMap<>();
        List<String> queue = new ArrayList<>(List.of(first));
        String last = null;
        for (int i = 0; i < queue.size() && last == null; i++) {
            String at = queue.get(i);
            for (String next : graph.getOrDefault(at, Set.of())) {
                if (next.equals(first)) {
                    last = at;
                    break;
                }
                if (group.contains(next) && !parent.containsKey(next) && !next.equals(first)) {
                    parent.put(next, at);
                    queue.add(next);
                }
            }
        }
        List<String> path = new ArrayList<>(List.of(first));
        for (String at = last; !at.equals(first); at = parent.get(at)) {
            path.add(1, at);
        }
        path.add(first);
        List<String> files = new ArrayList<>();
        for (int i = 0; i + 1 < path.size(); i++) {
            files.add(deps.get(path.get(i)).get(path.get(i + 1)));
        }
        return String.join(" -> ", path) + " (" + String.join(", ", files) + ")";
    }

    /** Top-level package -> top-level package it references -> the first file (by path) that does. */
    static Map<String, Map<String, String>> dependencies(Path root) throws IOException {
        Map<String, Map<String, String>> deps = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path file : files) {
            Path rel = root.relativize(file);
            String from = rel.getNameCount() == 1 ? ROOT : rel.getName(0).toString();
            Map<String, String> uses = deps.computeIfAbsent(from, k -> new TreeMap<>());
            Matcher m = REFERENCE.matcher(codeOnly(Files.readString(file)));
            while (m.find()) {
                String name = m.group(1);
                String to = Character.isUpperCase(name.charAt(0)) ? ROOT : name;
                if (!to.equals(from)) {
                    uses.putIfAbsent(to, rel.toString());
                }
            }
        }
        return deps;
    }

    /** Java source with comments and string/char literals blanked out (so prose and log text never count). */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i);
                i = i < 0 ? n : i;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
