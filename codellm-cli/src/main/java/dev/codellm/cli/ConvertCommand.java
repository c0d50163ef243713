package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.model.convert.GgufQuantizer;
import dev.codellm.model.convert.HfToGguf;
import dev.codellm.model.convert.QuantType;
import dev.codellm.core.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code codellm convert}: a Hugging Face Llama checkpoint to GGUF (as convert_hf_to_gguf.py), or a GGUF back to Hugging Face. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face Llama checkpoint directory to GGUF (--to gguf), or a GGUF to a Hugging Face directory (--to hf).")
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "A Hugging Face model directory (config.json, *.safetensors, tokenizer), or a GGUF with --to hf.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF to write, or the directory with --to hf.")
    Path out;

    @Option(names = "--to", defaultValue = "gguf", description = "gguf (Hugging Face to GGUF) or hf (GGUF to Hugging Face) (default ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--type", defaultValue = "f16", description = "Weight type of the GGUF: f32, f16, bf16, q8_0, q4_0, q4_k_m, q4_k_s, q5_k_m, q5_k_s, q6_k (default ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--name", description = "general.name of the GGUF (default: the directory's name).")
    String name;

    @Option(names = "--threads", defaultValue = "0", description = "Threads encoding rows; 0 = every CPU (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--json", description = "Print the summary as one JSON object instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (threads < 0) throw new CodellmException("--threads must be >= 0");
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        switch (to.toLowerCase(java.util.Locale.ROOT)) {
            case "gguf" -> {
                QuantType t = QuantType.parse(type);
                GgufQuantizer.Result r = HfToGguf.convert(in, out, t, name, n, System.err);
                if (json) ConvertSummary.printJson(spec.commandLine().getOut(), "convert", in, out, t, r);
                else ConvertSummary.print(spec.commandLine().getOut(), "convert", in, out, t, r);
            }
            case "hf" -> {
                var r = dev.codellm.model.convert.GgufToHf.export(in, out, System.err);
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("command", "convert");
                    m.put("to", "hf");
                    m.put("input", in.toString());
                    m.put("output", out.toString());
                    m.put("tensors", r.tensors());
                    m.put("tensor_bytes", r.bytes());
                    m.put("tokenizer_file", r.tokenizerFile());
                    m.put("seconds", r.seconds());
                    spec.commandLine().getOut().println(Json.line(m));
                    spec.commandLine().getOut().flush();
                    return 0;
                }
                spec.commandLine().getOut().printf(java.util.Locale.ROOT, "convert: %s -> %s (%d tensors, %.1f MiB of safetensors, %s) in %.1f s%n",
                        in, out, r.tensors(), r.bytes() / 1048576.0, r.tokenizerFile(), r.seconds());
                spec.commandLine().getOut().flush();
            }
            default -> throw new CodellmException("--to must be gguf or hf, not '" + to + "'");
        }
        return 0;
    }
}
