package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import dev.codellm.core.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code codellm synth-model}: a random-weight GGUF of a real model's shape, for benchmarks. */
@Command(name = "synth-model", mixinStandardHelpOptions = true,
        description = "Write a random-weight llama GGUF with a real model's exact shapes and Code Llama's vocabulary (for benchmarks).")
public final class SynthModelCommand implements Callable<Integer> {

    @Option(names = "--shape", required = true, description = "codellama-7b, codellama-13b, codellama-34b or tiny.")
    String shape;

    @Option(names = "--type", defaultValue = "Q4_0", description = "Weight type of every matrix: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K (default ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--layers", defaultValue = "0", description = "Keep only this many transformer blocks (every matrix keeps its shape); 0 = all.")
    int layers;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print what was written as one JSON object.")
    boolean json;

    @Parameters(index = "0", paramLabel = "OUT.gguf", description = "Output file.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GgmlType t;
        try {
            t = GgmlType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CodellmException("unknown weight type '" + type + "'");
        }
        if (layers < 0) throw new CodellmException("--layers must be >= 0");
        ModelShape s = ModelShape.parse(shape);
        System.err.println("synth-model: writing " + s.id + " " + t + (layers > 0 ? " with " + layers + " layers" : "") + " to " + out + " ...");
        long bytes = SyntheticGguf.write(out, s, t, layers, seed);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("output", out.toString());
            m.put("shape", s.id);
            m.put("type", t.name());
            m.put("layers", layers);
            m.put("seed", seed);
            m.put("bytes", bytes);
            spec.commandLine().getOut().println(Json.line(m));
        } else {
            spec.commandLine().getOut().printf("wrote %s (%.1f MiB)%n", out, bytes / 1048576.0);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
