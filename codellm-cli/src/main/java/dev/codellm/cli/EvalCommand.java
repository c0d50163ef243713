package dev.codellm.cli;

import dev.codellm.core.Generator;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.run.SampleSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm eval}: any benchmark eval knows, sandboxed, pass@k. Parses options and prints; the run is codellm-eval's. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on HumanEval(+), MBPP(+), MultiPL-E, DS-1000 or your own tasks, sandboxed, with pass@k and an HTML report.",
                "The model: a local GGUF, an OpenAI-compatible endpoint, or a samples file.",
                "MultiPL-E: multipl-e for all nine languages, multipl-e/java,cpp,... for some. DS-1000: ds1000, ds1000/pandas,numpy,...",
                "Your own tasks: --dataset my-tasks.jsonl (HumanEval format, or instruction + tests).",
                "Without --model/--endpoint/--samples the embedded default model is evaluated.",
                "Writes samples.jsonl, samples_results.jsonl, eval_results.json (EvalPlus shape), pass_at_k.json and report.html to --out",
                "(MultiPL-E: --out/multipl-e/<lang>/ and --out/multipl-e/summary.json, report.html)."},
        subcommands = {EvalCompareCommand.class})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", description = "humaneval, humaneval+, mbpp, mbpp+ (or any alias, e.g. humanevalplus), multipl-e or multipl-e/<lang>[,<lang>...] (cpp java js ts php cs sh rs go), "
            + "ds1000 or ds1000/<library>[,<library>...] (pandas numpy matplotlib tensorflow scipy sklearn pytorch), key-retrieval[/4k,16k,...][:FILES]")
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

    @Option(names = "--json", description = "Print the scores as JSON (pass_at_k.json; MultiPL-E: summary.json).")
    boolean json;

    @Option(names = "--time-scale", defaultValue = "1.0",
            description = "MultiPL-E and DS-1000: multiply their time limits (default ${DEFAULT-VALUE}: MultiPL-E's, DS-1000's 120 s per problem) on a slow machine.")
    double timeScale;

    @Override
    public Integer call() throws Exception {
        if (dataset == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --dataset");
        if (out == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: --out");
        EvalOptions o = new EvalOptions(dataset, out, n, temperature, maxTokens, promptStyle == null ? null : PromptStyle.parse(promptStyle),
                sanitize, jobs, genJobs, limit, resume, seed, dataDir, cacheDir == null ? BenchmarkFiles.defaultCacheDir() : cacheDir, timeScale);
        Evaluation<?> evaluation = EvalDatasets.prepare(o);  // dataset errors come before a model is loaded
        EvalOutcome outcome;
        if (source.samples() != null) {
            outcome = evaluation.run(SampleSource.file(source.samples())).outcome();
        } else if (source.canonical()) {
            outcome = evaluation.run(SampleSource.canonical()).outcome();
        } else {
            try (Generator g = source.openGenerator()) {
                outcome = evaluation.run(SampleSource.model(g)).outcome();
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        w.print(json ? outcome.json().toPrettyString() + "\n" : outcome.text());
        w.flush();
        return 0;
    }
}
