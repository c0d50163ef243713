package dev.codellm.cli;

import dev.codellm.core.io.Json;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.server.ServerBench;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm serve-bench}: aggregate tokens/s of the server for several --parallel settings. */
@Command(name = "serve-bench", mixinStandardHelpOptions = true,
        description = {"Measure the server's aggregate generation throughput (HTTP + continuous batching) on loopback.",
                "For each --parallel value: sends --requests greedy completions at once and reports tokens/s."})
public final class ServeBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--parallel", split = ",", defaultValue = "1,4", description = "Slot counts to compare (default: ${DEFAULT-VALUE}).")
    List<Integer> parallel;

    @Option(names = "--requests", defaultValue = "8", description = "Concurrent requests per run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--step-only", description = {"Measure only the engine's batched decode step (no HTTP): wall and CPU ms per step",
            "and per token for each --parallel value as the batch size."})
    boolean stepOnly;

    @Option(names = "--steps", defaultValue = "8", description = "Decode steps per batch size with --step-only (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--json", description = "Print results as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Consumer<String> log = line -> System.err.println("codellm: " + line);
        var out = spec.commandLine().getOut();
        var options = model.options(InfillFormat.PSM);
        if (stepOnly) {
            List<ServerBench.StepCost> results = ServerBench.stepCosts(model.modelPath(), options, parallel, steps, log);
            if (json) {
                out.print(Json.pretty(results));
            } else {
                for (ServerBench.StepCost c : results) {
                    out.printf("batch %2d: %8.1f ms/step wall, %8.1f ms/step CPU = %7.1f ms/token wall, %7.1f ms/token CPU%n",
                            c.batch(), c.wallMillisPerStep(), c.cpuMillisPerStep(), c.wallMillisPerToken(), c.cpuMillisPerToken());
                }
            }
            return 0;
        }
        List<ServerBench.Result> results = ServerBench.compare(model.modelPath(), options, parallel, requests, maxTokens, log);
        if (json) {
            out.print(Json.pretty(results));
        } else {
            for (ServerBench.Result r : results) {
                out.printf("parallel %2d: %4d requests, %6d tokens in %7.2f s = %8.1f tok/s aggregate (decode steps %8.1f tok/s, mean batch %.2f)%n",
                        r.parallel(), r.requests(), r.completionTokens(), r.seconds(), r.tokensPerSecond(), r.decodeTokensPerSecond(), r.meanBatch());
            }
        }
        return 0;
    }
}
