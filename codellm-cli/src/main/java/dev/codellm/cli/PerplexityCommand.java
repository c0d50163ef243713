package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.perplexity.PerplexityMethod;
import dev.codellm.model.perplexity.PerplexityResult;
import dev.codellm.model.perplexity.PerplexityRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code codellm perplexity}: perplexity of text files under a model, by llama.cpp's or the sliding-window method. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity of text files (or a field of jsonl records) under a GGUF model.",
                "--method llama.cpp: non-overlapping windows of --ctx, the second half of each scored (llama-perplexity's number);",
                "--method sliding: windows every --stride tokens, every token scored once with up to --ctx tokens of history.",
                "--by-position: mean NLL by position bucket (JSON, and by-position.html with --out)."})
public final class PerplexityCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model file (default: the model bundled with codellm).")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Text files, or .jsonl files with --field.")
    List<Path> inputs;

    @Option(names = "--field", paramLabel = "NAME", description = "The text field of each record of a .jsonl input.")
    String field;

    @Option(names = "--method", paramLabel = "llama.cpp|sliding", defaultValue = "llama.cpp", description = "Windowing method (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Window length in tokens (default: the model's context length).")
    int ctx;

    @Option(names = "--stride", paramLabel = "S", description = "Tokens between window starts for --method sliding (default: ctx/2).")
    int stride;

    @Option(names = "--by-position", description = "Also report mean NLL by token position in the window.")
    boolean byPosition;

    @Option(names = "--bucket", paramLabel = "N", defaultValue = "1024", description = "Width of the --by-position buckets in tokens (default ${DEFAULT-VALUE}).")
    int bucket;

    @Option(names = "--kv-type", paramLabel = "f16|f32|q8_0|q4_0", defaultValue = "f16", description = "KV-cache element type (default ${DEFAULT-VALUE}, as llama.cpp's -ctk/-ctv).")
    String kvType;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all processors).")
    int threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Write perplexity.json (and by-position.html with --by-position) here.")
    Path out;

    @Option(names = "--json", description = "Print the JSON document instead of the summary.")
    boolean json;

    @CommandLine.Mixin
    RopeOptions rope;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PerplexityMethod m = PerplexityMethod.parse(method);
        if (stride != 0 && m != PerplexityMethod.SLIDING) throw new CodellmException("--stride applies to --method sliding only");
        if (bucket < 1) throw new CodellmException("--bucket must be at least 1");
        if (ctx < 0 || threads < 0) throw new CodellmException("--ctx and --threads must not be negative");
        Path file = model != null ? model : DefaultModelFile.path();
        PerplexityResult r = PerplexityRun.run(file, new PerplexityRun.Options(inputs, field, m, ctx, stride, bucket, kvType, threads, rope.overrides(), !json));
        PrintWriter o = spec.commandLine().getOut();
        if (out != null) {
            Files.createDirectories(out);
            Json.write(out.resolve("perplexity.json"), r.toJson(byPosition));
            if (byPosition) r.writeHtml(out.resolve("by-position.html"));
        }
        if (json) {
            o.println(Json.pretty(r.toJson(byPosition)));
        } else {
            o.printf(java.util.Locale.ROOT, "%s: method %s, ctx %d%s, %d tokens scored%n", r.model(), m.cliName(), r.ctx(),
                    m == PerplexityMethod.SLIDING ? ", stride " + r.stride() : "", r.scored());
            if (r.files().size() > 1) {
                for (PerplexityResult.FileScore f : r.files()) o.printf(java.util.Locale.ROOT, "  %s: %d tokens, PPL %.4f%n", f.name(), f.tokens(), f.ppl());
            }
            if (byPosition) {
                for (PerplexityResult.Bucket b : r.byPosition()) {
                    o.printf(java.util.Locale.ROOT, "  positions %6d-%-6d %8d tokens  mean NLL %.4f  PPL %.4f%n", b.from(), b.to(), b.tokens(), b.meanNll(), b.ppl());
                }
            }
            o.printf(java.util.Locale.ROOT, "Final estimate: PPL = %.4f +/- %.5f (%.1f tokens/s)%n", r.ppl(), r.stderr(), r.tokensPerSecond());
            if (out != null) o.println("wrote " + out.resolve("perplexity.json") + (byPosition ? " and " + out.resolve("by-position.html") : ""));
        }
        o.flush();
        return 0;
    }
}
