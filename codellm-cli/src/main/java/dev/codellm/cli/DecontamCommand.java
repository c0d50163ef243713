package dev.codellm.cli;

import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.data.decontam.DecontamPage;
import dev.codellm.data.decontam.DecontamPipeline;
import dev.codellm.decontam.BenchmarkItems;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm decontam}: remove training records that contain benchmark text. */
@Command(name = "decontam", mixinStandardHelpOptions = true,
        description = {"Remove training records contaminated with benchmark prompts or solutions.",
                "Writes OUT/clean.jsonl, OUT/removed.jsonl (with the matched task ids), OUT/report.json and OUT/report.html (removals per benchmark and task, examples with the shared span highlighted)."})
public final class DecontamCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "jsonl, jsonl.gz, Parquet (a .parquet file or a dataset directory named *.parquet), or a directory of source files.")
    Path input;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--method", defaultValue = "openai50",
            description = "openai50 (3 random 50-char substrings of letters+digits), ngram (word n-grams), exact (whole normalised solutions). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--benchmarks", split = ",", defaultValue = "humaneval,humanevalplus,mbpp,mbppplus",
            description = "Benchmark names or aliases (humaneval, humaneval+ / humanevalplus, mbpp, mbpp+, multipl-e/<lang>) and/or paths of jsonl files to protect. Default: ${DEFAULT-VALUE}.")
    List<String> benchmarks;

    @Option(names = "--seed", defaultValue = "42", description = "Substring sampling seed (openai50). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--min-chars", description = "Ignore benchmark items with fewer normalised chars (default: 20 for openai50 and exact; 0 = every item, the OpenAI method to the letter).")
    Integer minChars;

    @Option(names = "--ngram", defaultValue = "13", description = "n for --method ngram. Default: ${DEFAULT-VALUE}.")
    int ngram;

    @Option(names = "--threshold", defaultValue = "0.5",
            description = "ngram: fraction of a benchmark item's n-grams a record must contain. Default: ${DEFAULT-VALUE}.")
    double threshold;

    @Option(names = "--fields", split = ",", description = "Only scan these top-level fields (default: every string value).")
    List<String> fields;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--max-line-bytes", defaultValue = "268435456",
            description = "Longer lines (or source files) are skipped and counted. Default: ${DEFAULT-VALUE}.")
    long maxLineBytes;

    @Option(names = "--json", description = "Print report.json (counts, removals per task, timings) instead of the summary line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int min = minChars != null ? minChars : DecontamConfig.defaultMinChars(method.toLowerCase());
        DecontamConfig cfg = new DecontamConfig(method, benchmarks, seed, min, ngram, threshold,
                fields == null ? null : new HashSet<>(fields));
        RecordDecontaminator dec = cfg.build(BenchmarkFiles.standard());
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        DecontamPipeline.Summary s = new DecontamPipeline(dec, n, maxLineBytes, System.err).run(input, out);
        DecontamReport r = s.report();
        DecontamPage.write(out, dec.method().name(), r, BenchmarkItems.load(cfg.benchmarks(), BenchmarkFiles.standard()));
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.print(Files.readString(s.reportFile()));
        } else {
            w.printf(Locale.ROOT, "decontam %s: %d records, %d clean, %d removed, %d skipped; %.1f MB in %.1fs (%.1f MB/s, %d threads; %.1f MB per CPU-second)%n",
                    dec.method().name(), r.records, r.clean, r.removed, r.skippedTotal(), r.bytes / 1e6, s.seconds(),
                    s.megabytesPerSecond(), s.threads(), r.bytes / 1e6 / s.cpuSeconds());
            w.println("wrote " + out.resolve("clean.jsonl") + ", " + out.resolve("removed.jsonl") + ", " + s.reportFile() + ", " + out.resolve("report.html"));
        }
        w.flush();
        return 0;
    }
}
