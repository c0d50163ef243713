package dev.codellm.eval.ds1000;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code --dataset ds1000} (any registry alias) or {@code ds1000/<library>[,<library>...]}: one
 * {@link Ds1000Benchmark} over the selected problems, in dataset order, written into {@code --out}.
 */
public final class Ds1000Family implements BenchmarkFamily {
    public static final String NAME = BenchmarkRegistry.DS1000.name();

    @Override
    public String name() { return "DS-1000"; }

    @Override
    public String datasetsHelp() { return "ds1000, ds1000/<library>[,<library>...]"; }

    @Override
    public boolean accepts(String dataset) {
        String d = dataset.strip();
        int slash = d.indexOf('/');
        return BenchmarkRegistry.DS1000.isNamed(slash < 0 ? d : d.substring(0, slash));
    }

    /** The libraries a {@code --dataset} value selects, in data order (all for plain {@code ds1000}). */
    public static Set<Ds1000Library> libraries(String dataset) {
        String d = dataset.strip();
        int slash = d.indexOf('/');
        if (slash < 0) return EnumSet.allOf(Ds1000Library.class);
        Set<Ds1000Library> libs = EnumSet.noneOf(Ds1000Library.class);
        for (String part : d.substring(slash + 1).split(",")) if (!part.isBlank()) libs.add(Ds1000Library.parse(part));
        if (libs.isEmpty()) throw new CodellmException("--dataset " + dataset + " names no library");
        return libs;
    }

    /** The canonical name of a selection: {@code ds1000}, or {@code ds1000/} and the libraries in data order. */
    static String canonicalName(Set<Ds1000Library> libs) {
        if (libs.size() == Ds1000Library.values().length) return NAME;
        return NAME + "/" + libs.stream().map(Ds1000Library::cliName).collect(Collectors.joining(","));
    }

    @Override
    public BenchmarkSuite<Ds1000Score> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        if (o.style() != null && o.style() != PromptStyle.BASE) {
            throw new CodellmException("DS-1000 prompts are completed as they are (the official completion format): --prompt-style "
                    + o.style() + " does not apply");
        }
        Set<Ds1000Library> libs = libraries(o.dataset());
        Loaded all = load(BenchmarkFiles.of(o.dataDir(), o.cacheDir()));
        List<Ds1000Problem> problems = all.problems().stream().filter(p -> libs.contains(p.library())).toList();
        if (o.limit() > 0 && o.limit() < problems.size()) problems = problems.subList(0, o.limit());
        SamplingParams sampling = SamplingParams.GREEDY.withTemperature(o.temperature()).withMaxTokens(o.maxTokens()).withSeed(o.seed());
        if (o.temperature() > 0) sampling = sampling.withTopP(0.95);
        Ds1000Executor[] made = new Ds1000Executor[1];
        Supplier<Ds1000Executor> executor = () -> {
            synchronized (made) {
                if (made[0] == null) made[0] = new Ds1000Executor(sandbox.get(), o.timeScale());
                return made[0];
            }
        };
        return suite(new Ds1000Benchmark(canonicalName(libs), problems, all.sha256(), sampling, executor));
    }

    /** The problems of the data file, in file order, and the SHA-256 of its content. */
    public record Loaded(List<Ds1000Problem> problems, String sha256) {}

    public static Loaded load(BenchmarkFiles files) {
        BenchmarkFiles.Content content = files.load(BenchmarkRegistry.DS1000);
        List<Ds1000Problem> problems = new ArrayList<>();
        for (Jsonl.Line l : content.rows()) problems.add(Ds1000Problem.parse(l));
        return new Loaded(List.copyOf(problems), content.sha256());
    }

    /** The suite of one benchmark; its summary prints the headline and the paper table. */
    public static BenchmarkSuite<Ds1000Score> suite(Ds1000Benchmark b) {
        return new BenchmarkSuite<>() {
            @Override
            public List<Ds1000Benchmark> parts() { return List.of(b); }

            @Override
            public EvalOutcome summarize(List<Ds1000Score> scores, String model, Path out) {
                Ds1000Score s = scores.get(0);
                String text = String.format(Locale.ROOT, "%s on %s: %s%n", model, s.dataset(), Ds1000Report.headline(s))
                        + Ds1000Table.text(List.of(new Ds1000Table.Row(model, s)))
                        + "  report: " + out.resolve("report.html") + "\n";
                return new EvalOutcome(text, s.toJson());
            }
        };
    }

    @Override
    public boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(Ds1000Benchmark.RESULTS)) && Files.isRegularFile(dir.resolve(Ds1000Score.FILE));
    }

    @Override
    public RunComparison compare(List<Path> runs) {
        return Ds1000Compare.of(runs);
    }
}
