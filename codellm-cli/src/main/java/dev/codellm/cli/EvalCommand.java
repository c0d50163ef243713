package dev.codellm.cli;

import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.eval.multipl.CompletionSource;
import dev.codellm.eval.multipl.MultiplEvaluation;
import dev.codellm.eval.multipl.MultiplReport;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm eval}: HumanEval(+)/MBPP(+) with sandboxed execution and pass@k. Logic lives in codellm-eval. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on HumanEval(+), MBPP(+) or MultiPL-E, sandboxed, with pass@k and an HTML report.",
                "The model: a local GGUF, an OpenAI-compatible endpoint, or a samples file.",
                "MultiPL-E: multipl-e for all nine languages, multipl-e/java,cpp,... for some.",
                "Without --model/--endpoint/--samples the embedded default model is evaluated.",
                "Writes samples.jsonl, samples_results.jsonl, eval_results.json (EvalPlus shape), pass_at_k.json and report.html to --out",
                "(MultiPL-E: --out/multipl-e/<lang>/ and --out/multipl-e/summary.json, report.html)."},
        subcommands = {EvalCompareCommand.class})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", description = "humaneval, humaneval+, mbpp, mbpp+, multipl-e or multipl-e/<lang>[,<lang>...] (cpp java js ts php cs sh rs go)")
    String dataset;

    @Mixin
    EvalSourceOptions source;

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

    @Option(names = "--limit", defaultValue = "0", description = "Only the first K tasks (default: ${DEFAULT-VALUE} = all).")
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

    @Option(names = "--time-scale", defaultValue = "1.0",
            description = "MultiPL-E: multiply its compile/run time limits (default ${DEFAULT-VALUE}, as MultiPL-E) on a slow machine.")
    double timeScale;

    @Override
    public Integer call() throws Exception {
        if (dataset == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --dataset");
        if (out == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --out");
        if (MultiplEvaluation.matches(dataset)) return multiplE();
        DatasetId id = DatasetId.parse(dataset);
        PromptStyle style = promptStyle == null ? PromptStyle.defaultFor(id) : PromptStyle.parse(promptStyle);
        EvalOptions o = new EvalOptions(id, out, n, temperature, maxTokens, style, sanitize, jobs, genJobs, limit, resume, seed,
                dataDir, cacheDir == null ? DatasetFiles.defaultCacheDir() : cacheDir);
        Evaluation ev = new Evaluation(o, sandbox());
        Results r;
        if (source.samples() != null) {
            r = ev.runWithSamplesFile(source.samples(), source.samples().getFileName().toString());
        } else if (source.canonical()) {
            r = ev.runCanonical();
        } else {
            try (Generator g = source.openGenerator()) {
                r = ev.runWithGenerator(g, g.info().name());
            }
        }
        print(r);
        return 0;
    }

    /** MultiPL-E: base completions of the raw prompts, compiled and run per language. */
    private int multiplE() throws Exception {
        if (source.canonical()) throw new dev.codellm.core.CodellmException("MultiPL-E has no canonical solutions; give --model, --endpoint or --samples");
        var languages = MultiplEvaluation.languages(dataset);
        Path datasets = dataDir != null ? dataDir : SharedData.root().resolve("datasets");
        BwrapSandbox sandbox = sandbox();
        MultiplReport report;
        if (source.samples() != null) {
            report = MultiplEvaluation.run(languages, source.samples().getFileName().toString(), CompletionSource.fromFile(source.samples()),
                    sandbox, datasets, out, n, jobs, limit, timeScale);
        } else {
            SamplingParams sampling = SamplingParams.GREEDY.withTemperature(temperature).withMaxTokens(maxTokens).withSeed(seed);
            if (temperature > 0) sampling = sampling.withTopP(0.95); // MultiPL-E samples with top_p 0.95
            try (Generator g = source.openGenerator()) {
                report = MultiplEvaluation.run(languages, g.info().name(), CompletionSource.of(g, sampling), sandbox, datasets, out,
                        n, jobs, limit, timeScale);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        w.print(report.text());
        w.println("  report: " + out.resolve(MultiplEvaluation.PREFIX).resolve("report.html"));
        w.flush();
        return 0;
    }

    /** One sandbox per run; its process budget allows for the parallel test runs. */
    private BwrapSandbox sandbox() {
        return new BwrapSandbox(java.util.List.of(), 61000, Math.max(jobs, 1) + 2);
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
