package dev.codellm.cli;

import dev.codellm.core.io.Json;
import dev.codellm.train.TrainBench;
import dev.codellm.model.llama.LlamaConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code codellm train bench}: training tokens/s and GFLOP/s against the measured FMA peak. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training throughput (random tokens) and the machine's FMA peak.")
public final class TrainBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--vocab", defaultValue = "2048", description = "Vocabulary size of the random model. Default: ${DEFAULT-VALUE}.") int vocab;
    @Mixin TrainModelOptions model;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per row. Default: ${DEFAULT-VALUE}.") int seqLen;
    @Option(names = "--batch", defaultValue = "4", description = "Rows per step. Default: ${DEFAULT-VALUE}.") int batch;
    @Option(names = "--steps", defaultValue = "5", description = "Timed steps. Default: ${DEFAULT-VALUE}.") int steps;
    @Option(names = "--json", description = "Print the figures as JSON.") boolean json;

    @Override
    public Integer call() throws Exception {
        int n = model.threads();
        LlamaConfig c = new LlamaConfig(model.dim, model.layers, model.heads, model.heads, model.ffn, vocab, seqLen, 1e-5f, 10000f, true);
        TrainBench.Report r = TrainBench.run(c, seqLen, batch, steps, n, System.err);
        if (json) {
            spec.commandLine().getOut().println(Json.MAPPER.createObjectNode().put("model", c.toString()).put("threads", n)
                    .put("tokens_per_second", r.tokensPerSecond()).put("gflops", r.gflops()).put("peak_gflops", r.peakGflops()));
        } else {
            spec.commandLine().getOut().println(TrainBench.describe(r));
        }
        return 0;
    }
}
