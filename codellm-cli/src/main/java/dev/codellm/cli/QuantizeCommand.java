package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.model.convert.GgufQuantizer;
import dev.codellm.model.convert.QuantType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code codellm quantize}: a GGUF rewritten in another weight type, with llama-quantize's per-tensor mix and blocks. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Rewrite a llama GGUF with quantized weights (Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, ...), as llama-quantize does.")
public final class QuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN.gguf", description = "Input model (F32, F16 or BF16 weights).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "Output file (written under a temporary name, then renamed).")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "Target type: q8_0, q4_0, q4_k_m, q4_k_s, q5_k_m, q5_k_s, q6_k (or f16, bf16, f32).")
    String type;

    @Option(names = "--threads", defaultValue = "0", description = "Threads encoding rows; 0 = every CPU (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--allow-requantize", description = "Allow re-quantizing tensors that are already quantized (loses quality).")
    boolean allowRequantize;

    @Option(names = "--json", description = "Print the summary as one JSON object (sizes, bits per weight, tensors per type, seconds).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        QuantType t = QuantType.parse(type);
        if (threads < 0) throw new CodellmException("--threads must be >= 0");
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        GgufQuantizer.Result r = GgufQuantizer.quantize(in, out, t, n, allowRequantize, System.err);
        if (json) ConvertSummary.printJson(spec.commandLine().getOut(), "quantize", in, out, t, r);
        else ConvertSummary.print(spec.commandLine().getOut(), "quantize", in, out, t, r);
        return 0;
    }
}
