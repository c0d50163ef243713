package dev.codellm.cli;

import dev.codellm.model.convert.GgufQuantizer;
import dev.codellm.model.convert.QuantType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
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

    private static String mib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
