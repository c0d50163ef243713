package dev.codellm.eval.multipl;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.benchmark.BenchmarkSpec;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code --dataset multipl-e[/<lang>[,<lang>...]]} (or a registry alias of one language, e.g.
 * {@code humaneval-java}): one {@link MultiplBenchmark} per language, run one after another into
 * {@code --out/multipl-e/<lang>/}, summarised in {@code --out/multipl-e/summary.json} and
 * {@code report.html} with the Code Llama paper's table.
 */
public final class MultiplFamily implements BenchmarkFamily {
    public static final String PREFIX = BenchmarkRegistry.MULTIPL_E;

    @Override
    public String name() { return "MultiPL-E"; }

    @Override
    public String datasetsHelp() { return "multipl-e, multipl-e/<lang>[,<lang>...]"; }

    @Override
    public boolean accepts(String dataset) {
        String d = dataset.strip().toLowerCase(Locale.ROOT);
        return d.equals(PREFIX) || d.startsWith(PREFIX + "/") || BenchmarkRegistry.find(d).filter(MultiplFamily::isMultipl).isPresent();
    }

    private static boolean isMultipl(BenchmarkSpec s) {
        return s.name().startsWith(PREFIX + "/");
    }

    /** {@code multipl-e} → all nine languages; {@code multipl-e/java,cpp} → those. */
    public static List<MultiplLanguage> languages(String dataset) {
        String d = dataset.strip().toLowerCase(Locale.ROOT);
        if (d.equals(PREFIX)) return List.of(MultiplLanguage.values());
        var alias = BenchmarkRegistry.find(d).filter(MultiplFamily::isMultipl);
        if (alias.isPresent()) return List.of(MultiplLanguage.fromCode(alias.get().name().substring(PREFIX.length() + 1)));
        List<MultiplLanguage> langs = new ArrayList<>();
        for (String code : d.substring(PREFIX.length() + 1).split(",")) {
            try {
                langs.add(MultiplLanguage.fromCode(code.strip()));
            } catch (IllegalArgumentException e) {
                throw new CodellmException(e.getMessage());
            }
        }
        return langs;
    }

    @Override
    public BenchmarkSuite<LanguageScore> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        List<MultiplLanguage> langs = languages(o.dataset());
        if (o.style() != null && o.style() != PromptStyle.BASE) {
            throw new CodellmException("MultiPL-E prompts are completed as they are: --prompt-style " + o.style() + " does not apply (base only)");
        }
        SamplingParams sampling = SamplingParams.GREEDY.withTemperature(o.temperature()).withMaxTokens(o.maxTokens()).withSeed(o.seed());
        if (o.temperature() > 0) sampling = sampling.withTopP(0.95); // MultiPL-E samples with top_p 0.95
        BenchmarkFiles files = BenchmarkFiles.of(o.dataDir(), o.cacheDir());
        MultiplExecutor[] shared = new MultiplExecutor[1];  // one executor for all languages (Go's warmed cache), made when first needed
        Supplier<MultiplExecutor> executor = () -> {
            synchronized (shared) {
                if (shared[0] == null) shared[0] = new MultiplExecutor(sandbox.get(), o.timeScale());
                return shared[0];
            }
        };
        List<MultiplBenchmark> parts = new ArrayList<>();
        for (MultiplLanguage lang : langs) {
            BenchmarkFiles.Content content = files.load(lang.spec());
            List<MultiplProblem> problems = MultiplDataset.parse(content.rows());
            if (o.limit() > 0 && o.limit() < problems.size()) problems = problems.subList(0, o.limit());
            parts.add(new MultiplBenchmark(lang, problems, content.sha256(), sampling, executor));
        }
        return suite(parts);
    }

    /** Languages run one after another; the summary and report go to {@code --out/multipl-e/}. */
    public static BenchmarkSuite<LanguageScore> suite(List<MultiplBenchmark> parts) {
        return new BenchmarkSuite<>() {
            @Override
            public List<MultiplBenchmark> parts() { return parts; }

            @Override
            public EvalOutcome summarize(List<LanguageScore> scores, String model, Path out) {
                Path dir = out.resolve(PREFIX);
                MultiplReport report = new MultiplReport(model, scores);
                report.write(dir);
                return new EvalOutcome(report.text() + "  report: " + dir.resolve("report.html") + "\n", report.json());
            }
        };
    }

    @Override
    public boolean isRun(Path dir) {
        return MultiplCompare.isRun(dir);
    }

    @Override
    public RunComparison compare(List<Path> runs) {
        return MultiplCompare.of(runs);
    }
}
