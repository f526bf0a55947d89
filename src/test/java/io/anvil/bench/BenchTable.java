package io.anvil.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects benchmark rows, prints them as a table and writes them as JSON under target/bench/. */
final class BenchTable {
    private final String name;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private final JsonArray json = new JsonArray();
    private final JsonObject meta = new JsonObject();

    BenchTable(String name, String... columns) {
        this.name = name;
        this.columns = List.of(columns);
    }

    /** A row of a section/case/value/unit/note table (the benches that report mixed measurements). */
    static JsonObject measure(String section, String name, double value, String unit, String note) {
        return new JsonObject()
                .put("section", section)
                .put("case", name)
                .put("value", value)
                .put("unit", unit)
                .put("note", note);
    }

    BenchTable meta(String key, Object value) {
        meta.put(key, value);
        return this;
    }

    void row(JsonObject values) {
        List<String> r = new ArrayList<>();
        for (String c : columns) {
            Object v = values.getValue(c);
            r.add(v instanceof Double d ? String.format("%.1f", d) : String.valueOf(v));
        }
        rows.add(r);
        json.add(values);
        System.out.println("  " + values.encode());
    }

    void finish() throws IOException {
        int[] w = new int[columns.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = columns.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder("\n");
        appendRow(sb, columns, w);
        StringBuilder sep = new StringBuilder("|");
        for (int x : w) {
            sep.append("-".repeat(x + 2)).append('|');
        }
        sb.append(sep).append('\n');
        rows.forEach(r -> appendRow(sb, r, w));
        System.out.println(sb);
        Path out = Path.of("target/bench/" + name + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(
                out,
                new JsonObject()
                        .put("benchmark", name)
                        .put("meta", meta)
                        .put("results", json)
                        .encodePrettily());
        System.out.println("wrote " + out);
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        sb.append('|');
        for (int i = 0; i < cells.size(); i++) {
            sb.append(' ')
                    .append(String.format("%-" + w[i] + "s", cells.get(i)))
                    .append(" |");
        }
        sb.append('\n');
    }
}
