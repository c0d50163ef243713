package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.core.io.Json;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.SampleSource;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiplRunTest {
    @TempDir
    Path out;

    /** A model that answers sample i (its sampling seed, from --seed 0) with {@code answer(i)}. */
    static Generator bySample(java.util.function.IntFunction<String> answer) {
        return new Generator() {
            @Override
            public ModelInfo info() { return new ModelInfo("fake", 4096, false, null); }

            @Override
            public Completion complete(CompletionRequest r, TokenSink sink) {
                return new Completion(answer.apply(r.sampling().seed().intValue()), FinishReason.STOP, new Usage(1, 1));
            }

            @Override
            public Completion chat(ChatRequest r, TokenSink sink) { throw new UnsupportedOperationException(); }
        };
    }

    private EvalOptions opts(boolean resume) {
        return new EvalOptions("multipl-e/sh", out, 2, 0.0, 64, null, false, 2, 1, 0, resume, 0L, null, out.resolve("cache"), 4.0);
    }

    private LanguageScore run(List<MultiplProblem> problems, MultiplExecutor executor, Generator model, boolean resume) {
        EvalOptions o = opts(resume);
        MultiplBenchmark b = new MultiplBenchmark(MultiplLanguage.SH, problems, "test", SamplingParams.GREEDY.withSeed(0L), () -> executor);
        return new Evaluation<>(MultiplFamily.suite(List.of(b)), o).run(SampleSource.model(model)).scores().get(0);
    }

    /** Bash HumanEval/53 with sample 0 right and sample 1 wrong: pass@1 is exactly 0.5. */
    @Test
    void scoresResumesAndSurvivesATornLine() throws Exception {
        MultiplLanguage sh = MultiplLanguage.SH;
        List<MultiplProblem> problems = List.of(MultiplExecutorTest.add(sh));
        AtomicInteger calls = new AtomicInteger();
        Generator source = bySample(i -> {
            calls.incrementAndGet();
            return i == 0 ? "    echo $(( $1 + $2 ))\n}\n" : "    echo 0\n}\n";
        });
        MultiplExecutor executor = new MultiplExecutor(BwrapSandbox.create(), 4.0);
        LanguageScore first = run(problems, executor, source, false);
        assertEquals(0.5, first.passAt1(), 1e-12);
        assertEquals(Map.of(Status.OK, 1, Status.Exception, 1), first.statusCounts());
        assertEquals(2, calls.get());

        // Rerun: everything is on disk, so nothing is generated or executed again.
        Generator refuse = bySample(i -> { throw new AssertionError("regenerated #" + i); });
        assertEquals(first.passAtK(), run(problems, executor, refuse, true).passAtK());

        // Kill -9 mid-write: the last result line is torn; the rerun redoes just that program.
        Path results = out.resolve("multipl-e/sh/" + Evaluation.RESULTS);
        List<String> lines = new ArrayList<>(Files.readAllLines(results));
        String last = lines.remove(lines.size() - 1);
        Files.writeString(results, String.join("\n", lines) + "\n" + last.substring(0, last.length() / 2));
        LanguageScore resumed = run(problems, executor, refuse, true);
        assertEquals(first.passAtK(), resumed.passAtK());
        long rows = Files.readAllLines(results).stream().filter(l -> l.endsWith("}")).count();
        assertEquals(2, rows, "two whole result rows after the resume");

        var json = Json.read(out.resolve("multipl-e/sh/pass_at_k.json"));
        assertEquals(0.5, json.get("pass@1").asDouble(), 1e-12);
    }

    @Test
    void missingToolchainIsNamedNotScoredAsZero() {
        assertEquals(List.of("mono-mcs", "mono-runtime", "libmono-system-numerics4.0-cil"),
                MultiplLanguage.CS.missingPackages(p -> false));
        LanguageScore missing = new LanguageScore(MultiplLanguage.CS, List.of("mono-mcs"), 158, 1, Map.of(), Map.of(), 0, Map.of());
        LanguageScore cpp = new LanguageScore(MultiplLanguage.CPP, List.of(), 161, 1, Map.of("pass@1", 0.25),
                Map.of(Status.OK, 40), 0, Map.of("pass@1", 0.25));
        MultiplReport report = new MultiplReport(List.of(cpp, missing));
        assertTrue(report.text().contains("C#          not scored: toolchain missing (apt-get install mono-mcs)"), report.text());
        // The average runs over scored languages only, so a missing toolchain does not drag it to 0.
        assertEquals(0.25, report.paperAverage(), 1e-12);
    }

    @Test
    void csharpListEqualsTasksAreFlagged() {
        long flagged = MultiplDataset.load(MultiplLanguage.CS).stream()
                .filter(p -> MultiplBenchmark.isUnpassable(MultiplLanguage.CS, p)).count();
        assertEquals(44, flagged, "SOURCE.md: 44 C# rows compare lists with .Equals");
    }
}
