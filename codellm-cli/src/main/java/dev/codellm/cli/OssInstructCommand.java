package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Json;
import dev.codellm.core.openai.OpenAiConfig;
import dev.codellm.core.openai.OpenAiGenerator;
import dev.codellm.data.ossinstruct.Curator;
import dev.codellm.data.ossinstruct.Exports;
import dev.codellm.data.ossinstruct.OssInstructPipeline;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import dev.codellm.embed.CategoryAnalysis;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm oss-instruct}: seeds from real code → teacher → filtered, decontaminated instruction data. */
@Command(name = "oss-instruct", mixinStandardHelpOptions = true,
        description = {"Make instruction data with Magicoder's OSS-Instruct: code seeds, a teacher model's problems and solutions, curated.",
                "Seed snippets from a code corpus, ask a teacher model for a problem and solution per seed,",
                "filter, dedup, decontaminate, export. Rerun the same command to resume."})
public final class OssInstructCommand implements Callable<Integer> {

    @Option(names = "--corpus", description = "Source tree, jsonl(.gz) or Parquet corpus for the seeds (records with path/lang and text/content/code; not needed when OUT/seeds.jsonl exists).")
    Path corpus;

    @Option(names = "--out", required = true, description = "Output directory (seeds, responses, data, exports, report).")
    Path out;

    @Option(names = "--num-seeds", defaultValue = "100", description = "How many seeds. Default: ${DEFAULT-VALUE}.")
    int numSeeds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed for seed extraction. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--endpoint", description = "OpenAI-compatible teacher, e.g. http://127.0.0.1:8080/v1 (key from $" + OpenAiConfig.API_KEY_ENV + "). Without it, only seeds/curation/exports run.")
    String endpoint;

    @Option(names = "--api-model", description = "Teacher model name sent to the endpoint.")
    String apiModel;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests in flight. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--rpm", defaultValue = "0", description = "Max requests started per minute (0 = no limit).")
    double rpm;

    @Option(names = "--retries", defaultValue = "3", description = "Retries per seed after a failed call. Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--temperature", defaultValue = "0.0", description = "Teacher temperature. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "1024", description = "Teacher max tokens per answer. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--format", split = ",", defaultValue = "messages,alpaca,sharegpt", description = "Exports. Default: ${DEFAULT-VALUE}.")
    List<String> formats;

    @Option(names = "--decontam", defaultValue = "openai50", description = "Decontamination method for the output (openai50|ngram|exact|none). Default: ${DEFAULT-VALUE}.")
    String decontam;

    @Option(names = "--analyze", description = "Also embed the problems (all-MiniLM-L6-v2, in process) and write OUT/analysis.json + analysis.html: categories, lengths, similarity to HumanEval.")
    boolean analyze;

    @Option(names = "--price-prompt", defaultValue = "0", description = "USD per million prompt tokens, for the cost estimate. Default: ${DEFAULT-VALUE}.")
    double pricePrompt;

    @Option(names = "--price-completion", defaultValue = "0", description = "USD per million completion tokens. Default: ${DEFAULT-VALUE}.")
    double priceCompletion;

    @Option(names = "--json", description = "Print report.json's figures (seeds, teacher, tokens, curation, exports; with --analyze the categories) as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TeacherClient.Options t = new TeacherClient.Options(concurrency, rpm, retries, Duration.ofSeconds(2),
                SamplingParams.GREEDY.withTemperature(temperature).withMaxTokens(maxTokens));
        List<Exports.Format> fs;
        try {
            fs = formats.stream().map(Exports.Format::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new CodellmException(e.getMessage());
        }
        OssInstructPipeline.Config cfg = new OssInstructPipeline.Config(corpus, numSeeds, seed, t, Curator.Options.defaults(),
                fs, pricePrompt, priceCompletion);
        RecordDecontaminator dec = decontam.equalsIgnoreCase("none") ? null
                : DecontamConfig.defaults(decontam.toLowerCase()).build(BenchmarkFiles.standard());
        Generator teacher = null;
        if (endpoint != null) {
            if (apiModel == null) throw new CodellmException("--endpoint needs --api-model");
            teacher = OpenAiGenerator.open(endpoint, apiModel);
        }
        PrintWriter w = spec.commandLine().getOut();
        try {
            Map<String, Object> report = new OssInstructPipeline(cfg, System.err).run(teacher, dec, out);
            CategoryAnalysis.Result a = analyze ? CategoryAnalysis.run(out.resolve("data.jsonl"), BenchmarkFiles.standard(), out, System.err) : null;
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>(report);
                if (a != null) all.put("analysis", Map.of("categories", a.categories(), "mean_nearest_humaneval_similarity", a.meanHumanEvalSimilarity()));
                w.print(Json.pretty(all));
            } else {
                w.println("wrote " + out.resolve("data.jsonl") + " and exports " + report.get("exports") + "; report " + out.resolve("report.json"));
                if (a != null) w.println("analysis: " + a.categories() + "; wrote " + out.resolve("analysis.html"));
            }
        } finally {
            if (teacher != null) teacher.close();
            w.flush();
        }
        return 0;
    }
}
