package dev.codellm.cli;

import dev.codellm.model.convert.GgufQuantizer;
import dev.codellm.model.convert.QuantType;
import java.io.PrintWriter;
import java.nio.file.Path;
import dev.codellm.core.io.Json;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The closing lines of convert and quantize: sizes before and after, bits per weight, tensors per type, time. */
final class ConvertSummary {
    private ConvertSummary() {}

    static void print(PrintWriter out, String verb, Path in, Path outFile, QuantType type, GgufQuantizer.Result r) {
        out.printf(Locale.ROOT, "%s: %s (%s, %.2f bits/weight) -> %s (%s, %s, %.2f bits/weight) in %.1f s%n", verb, in,
                mib(r.bytesIn()), r.elements() == 0 ? 0 : r.bytesIn() * 8.0 / r.elements(), outFile, type, mib(r.bytesOut()),
                r.bitsPerWeight(), r.seconds());
        out.println("tensors: " + r.types().entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))
                + " (" + String.format(Locale.ROOT, "%.2f", r.elements() / 1e9) + "B weights)");
        out.flush();
    }

    /** The same figures as one JSON object (snake_case, exact byte counts), for --json. */
    static void printJson(PrintWriter out, String verb, Path in, Path outFile, QuantType type, GgufQuantizer.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", verb);
        m.put("input", in.toString());
        m.put("output", outFile.toString());
        m.put("type", type.name().toLowerCase(Locale.ROOT));
        m.put("bytes_in", r.bytesIn());
        m.put("bytes_out", r.bytesOut());
        m.put("weights", r.elements());
        m.put("bits_per_weight_in", r.elements() == 0 ? 0 : r.bytesIn() * 8.0 / r.elements());
        m.put("bits_per_weight_out", r.bitsPerWeight());
        Map<String, Integer> types = new LinkedHashMap<>();
        r.types().forEach((k, v) -> types.put(k.name(), v));
        m.put("tensor_types", types);
        m.put("notes", r.notes());
        m.put("seconds", r.seconds());
        out.println(Json.line(m));
        out.flush();
    }

    private static String mib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
