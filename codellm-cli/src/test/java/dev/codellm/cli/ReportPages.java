package dev.codellm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Json;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.ds1000.Ds1000Compare;
import dev.codellm.eval.ds1000.Ds1000Family;
import dev.codellm.eval.ds1000.Ds1000Library;
import dev.codellm.eval.ds1000.Ds1000Problem;
import dev.codellm.eval.ds1000.Ds1000Report;
import dev.codellm.eval.ds1000.Ds1000Score;
import dev.codellm.eval.ds1000.Ds1000Verdict;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.keyretrieval.KeyRetrievalScore;
import dev.codellm.eval.multipl.LanguageScore;
import dev.codellm.eval.multipl.MultiplCompare;
import dev.codellm.eval.multipl.MultiplFamily;
import dev.codellm.eval.multipl.MultiplLanguage;
import dev.codellm.eval.multipl.MultiplReport;
import dev.codellm.eval.multipl.Status;
import dev.codellm.eval.report.Compare;
import dev.codellm.eval.report.HtmlReport;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import dev.codellm.data.report.JobReport;
import dev.codellm.model.perplexity.PerplexityMethod;
import dev.codellm.model.perplexity.PerplexityResult;
import dev.codellm.train.LossCurve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every report page the project writes, built by its real writer from inputs shaped like the runs
 * that showed the layout defects of issue 17 (two equal bars, a 0 % run, long run labels, long
 * answers, languages not run next to a missing toolchain, a long training run). Each method writes
 * one page into {@code dir} and returns its file.
 */
final class ReportPages {
    private ReportPages() {}

    /** HumanEval+ report: 4 tasks x n = 2, half the samples pass base and plus (two "50.0" bars side by side). */
    static Path humanEvalPlus(Path dir) throws Exception {
        Dataset all = Dataset.load(DatasetId.HUMANEVAL_PLUS, BenchmarkFiles.standard());
        Dataset ds = new Dataset(all.id(), all.tasks().subList(0, 4), all.sha256());
        List<SampleRecord> samples = new ArrayList<>();
        Map<SampleKey, SampleResult> verdicts = new HashMap<>();
        for (var t : ds.tasks()) {
            for (int c = 0; c < 2; c++) {
                String body = c == 0 ? "    return None\n" : "    pass\n";
                SampleRecord s = new SampleRecord(t.taskId(), c, body, t.prompt() + body);
                samples.add(s);
                SampleResult r = c == 0 ? new SampleResult("pass", "pass", null, null, null, 12)
                        : new SampleResult("fail", null, Json.MAPPER.getNodeFactory().textNode("assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True"),
                                null, "AssertionError", 15);
                verdicts.put(SampleKey.of(s), r);
            }
        }
        Path file = dir.resolve("eval-humaneval-plus.html");
        Json.write(dir.resolve("run.json"), Json.MAPPER.createObjectNode().put("source", "models/default.gguf").put("prompt_style", "completion")
                .put("n", 2).put("temperature", 0.2).put("max_tokens", 512));
        HtmlReport.write(new Results(ds, "tiny-codellama-q8_0", samples, verdicts, "bwrap (no network, 2 GB, 10 s per test)"), file);
        return file;
    }

    /** {@code eval compare} of three HumanEval+ runs: long labels, one at 0 %, long answers, 12 tasks. */
    static Path evalCompare(Path dir) throws Exception {
        String[] models = {"codellama-7b-instruct.Q4_K_M", "magicoder-s-cl-7b.Q8_0", "llama-2-tiny-random"};
        double[][] rates = {{0.25, 0.5}, {0.5, 0.75}, {0, 0}};
        List<Path> runs = new ArrayList<>();
        for (int m = 0; m < models.length; m++) {
            ObjectNode root = Json.MAPPER.createObjectNode().put("model", models[m]).put("dataset", "humaneval+");
            ObjectNode k = root.putObject("pass_at_k");
            k.putObject("base").put("pass@1", rates[m][1]).put("pass@10", Math.min(1, rates[m][1] + 0.1));
            k.putObject("plus").put("pass@1", rates[m][0]).put("pass@10", Math.min(1, rates[m][0] + 0.1));
            ObjectNode eval = root.putObject("eval");
            for (int t = 0; t < 12; t++) {
                boolean solved = m < 2 && (t % (m + 2) == 0 || t == 5 + m);
                String answer = "def solution_" + t + "(numbers: List[float], threshold: float) -> bool:\n"
                        + "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j)"
                        + " and all(isinstance(x, float) for x in numbers)  # a long line a model writes\n";
                eval.putArray("HumanEval/" + t).addObject().put("solution", answer).put("base_status", solved ? "pass" : "fail")
                        .put("plus_status", solved ? "pass" : "fail");
            }
            Path run = dir.resolve("compare-run-" + (m + 1));
            Files.createDirectories(run);
            Json.write(run.resolve("eval_results.json"), root);
            runs.add(run);
        }
        Path file = dir.resolve("eval-compare.html");
        Compare.of(runs).writeHtml(file);
        return file;
    }

    /** A MultiPL-E run: C++, Java and JS scored (JS at 0 %), C# without its toolchain, the rest not run. */
    static Path multipl(Path dir) throws Exception {
        Path run = dir.resolve("multipl-run");
        report("CodeLlama-7b-hf", 0.264, 0.0).write(run.resolve(MultiplFamily.PREFIX));
        Path file = dir.resolve("multipl-e.html");
        Files.copy(run.resolve(MultiplFamily.PREFIX).resolve("report.html"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** {@code eval compare} of two MultiPL-E runs. */
    static Path multiplCompare(Path dir) throws Exception {
        Path a = dir.resolve("multipl-a"), b = dir.resolve("multipl-b");
        report("CodeLlama-7b-hf", 0.264, 0.0).write(a.resolve(MultiplFamily.PREFIX));
        report("CodeLlama-7b-Instruct-hf", 0.312, 0.18).write(b.resolve(MultiplFamily.PREFIX));
        Path file = dir.resolve("multipl-e-compare.html");
        MultiplCompare.of(List.of(a, b)).writeHtml(file);
        return file;
    }

    private static MultiplReport report(String model, double cpp, double js) {
        return new MultiplReport(model, List.of(
                score(MultiplLanguage.CPP, cpp), score(MultiplLanguage.JAVA, cpp * 1.1), score(MultiplLanguage.JS, js),
                LanguageScore.toolchainMissing(MultiplLanguage.CS, List.of("mono-mcs", "mono-runtime"), 158, 1)));
    }

    private static LanguageScore score(MultiplLanguage l, double p) {
        int ok = (int) Math.round(161 * p);
        return new LanguageScore(l, List.of(), 161, 1, Map.of("pass@1", p), Map.of(Status.OK, ok, Status.Exception, 161 - ok), 0, Map.of("pass@1", p));
    }

    /**
     * A DS-1000 run over real problems, three of each library, n = 2: TensorFlow's not scoreable
     * (not installed), a problem that needs the network, passes, and failures with long errors.
     */
    static Path ds1000(Path dir) throws Exception {
        Path run = mkdirs(dir.resolve("ds1000-run"));
        Json.write(run.resolve("run.json"), Json.MAPPER.createObjectNode().put("source", "models/CodeLlama-7b-Python-hf.Q8_0.gguf")
                .put("prompt_style", "base").put("n", 2).put("temperature", 0.2).put("max_tokens", 1024));
        ds1000Run(run, "CodeLlama-7b-Python-hf.Q8_0", 4);
        Path file = dir.resolve("ds1000.html");
        copy(run.resolve("report.html"), file);
        return file;
    }

    /** {@code eval compare} of two DS-1000 runs (long labels, a library at 0 %). */
    static Path ds1000Compare(Path dir) throws Exception {
        Path a = mkdirs(dir.resolve("ds1000-a")), b = mkdirs(dir.resolve("ds1000-b"));
        ds1000Run(a, "CodeLlama-7b-Python-hf.Q8_0", 4);
        ds1000Run(b, "magicoder-s-cl-7b.Q4_K_M", 3);
        Path file = dir.resolve("ds1000-compare.html");
        Ds1000Compare.of(List.of(a, b)).writeHtml(file);
        return file;
    }

    /** Writes pass_at_k.json and report.html of a run into {@code out}; {@code k} varies which samples pass (none of PyTorch's). */
    private static void ds1000Run(Path out, String model, int k) {
        List<Ds1000Problem> all = Ds1000Family.load(BenchmarkFiles.standard()).problems();
        Map<String, Ds1000Problem> problems = new LinkedHashMap<>();
        for (Ds1000Library l : Ds1000Library.PAPER_ORDER) {
            all.stream().filter(p -> p.library() == l).limit(3).forEach(p -> problems.put(p.taskId(), p));
        }
        List<SampleRecord> samples = new ArrayList<>();
        Map<SampleKey, Ds1000Verdict> verdicts = new HashMap<>();
        Map<String, Ds1000Score.ProblemTally> tallies = new LinkedHashMap<>();
        int i = 0;
        for (Ds1000Problem p : problems.values()) {
            int correct = 0;
            String notScoreable = null;
            for (int c = 0; c < 2; c++) {
                boolean pass = p.library() != Ds1000Library.PYTORCH && (i * i + c * k) % 5 < 2;
                String code = pass ? p.referenceCode() : "result = df.groupby(['user', 'date']).agg(lambda x: x.sort_values().tolist())"
                        + ".reset_index(drop=True).apply(pd.Series.explode).fillna(method='ffill')  # a long line a model writes\n";
                SampleRecord r = new SampleRecord(p.taskId(), c, code, code);
                Ds1000Verdict v;
                if (p.library() == Ds1000Library.TENSORFLOW) {
                    v = new Ds1000Verdict(Ds1000Verdict.FAIL, "ModuleNotFoundError: No module named 'tensorflow'", "tensorflow", false, 40);
                } else if (pass) {
                    v = new Ds1000Verdict(Ds1000Verdict.PASS, null, null, false, 900);
                } else if (i == 4) {
                    v = Ds1000Verdict.failure(Ds1000Verdict.TIMEOUT, "no result within 120 s", 120_000);
                } else {
                    v = Ds1000Verdict.failure(Ds1000Verdict.FAIL, "ValueError: operands could not be broadcast together with shapes (3,4) (4,3) "
                            + "while evaluating test_execution(solution) on the second of three generated inputs", 1200);
                }
                if (v.passed()) correct++;
                if (v.notScoreableReason() != null) notScoreable = v.notScoreableReason();
                samples.add(r);
                verdicts.put(SampleKey.of(r), v);
            }
            tallies.put(p.taskId(), new Ds1000Score.ProblemTally(p.library(), 2, correct, notScoreable));
            i++;
        }
        Ds1000Score score = Ds1000Score.of("ds1000", model, tallies);
        score.write(out);
        Ds1000Report.write(score, problems, samples, verdicts, "bwrap (no network, 4 GB, 120 s per program), python3 3.11 with Debian's "
                + "numpy 1.24, pandas 1.5, scipy 1.10, scikit-learn 1.2, matplotlib 3.6, torch 1.13", out.resolve("report.html"));
    }

    /** A 400-step training run: a noisy falling loss, held-out every 50 steps, warm-up then cosine decay. */
    static Path trainLoss(Path dir) {
        List<double[]> train = new ArrayList<>(), held = new ArrayList<>(), lr = new ArrayList<>();
        java.util.Random rnd = new java.util.Random(7);
        for (int s = 1; s <= 400; s++) {
            double loss = 1.6 + 4.3 * Math.exp(-s / 60.0) + 0.25 * rnd.nextGaussian();
            train.add(new double[] {s, loss});
            if (s % 50 == 0) held.add(new double[] {s, 1.7 + 4.3 * Math.exp(-s / 60.0)});
            double peak = 3e-4, rate = s <= 40 ? peak * s / 40 : peak * 0.5 * (1 + Math.cos(Math.PI * (s - 40) / 360.0));
            lr.add(new double[] {s, rate});
        }
        Path file = dir.resolve("train-loss.html");
        LossCurve.write(file, "stories-15M-sft — loss", train, held, lr);
        return file;
    }

    /** A self-instruct job report (the funnel page shared by the data jobs). */
    static Path dataJob(Path dir) {
        Path out = dir.resolve("self-instruct");
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, Integer> funnel = JobReport.funnel("questions (deduplicated)", 1200, "with tests", 1033, "with a passing answer", 611,
                "kept after decontamination", 598);
        Map<String, Integer> rejected = new LinkedHashMap<>();
        rejected.put("no answer passed its tests within 4 attempts", 422);
        rejected.put("tests do not parse", 167);
        rejected.put("matched a HumanEval/MBPP problem (13-gram)", 13);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("funnel", funnel);
        report.put("rejected", rejected);
        JobReport.write(out, "codellm self-instruct: gpt-4o-mini", report, funnel,
                List.of(new JobReport.Table("Rejected", List.of("reason", "questions"), JobReport.rows(rejected))));
        Path file = dir.resolve("data-job.html");
        copy(out.resolve("report.html"), file);
        return file;
    }

    /** Key retrieval: the heat map of accuracy by length x position. */
    static Path keyRetrieval(Path dir) {
        Path out = dir.resolve("key-retrieval");
        int[][] correct = {{5, 5, 4, 5, 5}, {5, 3, 2, 4, 5}, {2, 0, 0, 1, 3}}, total = {{5, 5, 5, 5, 5}, {5, 5, 5, 5, 5}, {5, 5, 5, 0, 5}};
        new KeyRetrievalScore("CodeLlama-7b-hf", List.of(2000, 8000, 16000), List.of(0.0, 0.25, 0.5, 0.75, 1.0), correct, total,
                List.of("kr-16000-0.25-1\t4242\t  return 17")).write(mkdirs(out));
        Path file = dir.resolve("key-retrieval.html");
        copy(out.resolve("report.html"), file);
        return file;
    }

    /** Perplexity by position in the window. */
    static Path perplexity(Path dir) {
        List<PerplexityResult.Bucket> buckets = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            double nll = 1.2 + 1.5 / (1 + b);
            buckets.add(new PerplexityResult.Bucket(b * 256, (b + 1) * 256, 4096, nll, Math.exp(nll)));
        }
        PerplexityResult r = new PerplexityResult("CodeLlama-7b-hf.Q8_0", PerplexityMethod.SLIDING, 4096, 2048, List.of(), 65536, 1.41,
                Math.exp(1.41), 0.004, buckets, 131072, 90);
        Path file = dir.resolve("perplexity-by-position.html");
        r.writeHtml(file);
        return file;
    }

    /** {@code codellm decontam} on records that copy two HumanEval tasks into prose, a clean one and a broken line. */
    static Path decontam(Path dir) throws Exception {
        Dataset he = Dataset.load(DatasetId.HUMANEVAL, BenchmarkFiles.standard());
        var t0 = he.tasks().get(0);
        var t2 = he.tasks().get(2);
        Path in = dir.resolve("decontam-in.jsonl");
        List<String> lines = new ArrayList<>();
        lines.add(Json.MAPPER.createObjectNode().put("text", "def add(a, b):\n    return a + b\n").toString());
        lines.add(Json.MAPPER.createObjectNode().put("instruction", "Solve this exercise from my course, please, and explain each step.")
                .put("text", "Here is my homework for this week, copied from the course notes:\n\n" + t0.prompt() + t0.canonicalSolution()
                        + "\nI do not understand why the loop compares every pair; " + "could you also make it faster? ".repeat(20)).toString());
        lines.add(Json.MAPPER.createObjectNode().put("text", "# utils.py\nimport math\n\n" + t2.prompt() + t2.canonicalSolution()).toString());
        lines.add("not json");
        Files.write(in, lines);
        Path out = dir.resolve("decontam-out");
        CliRun r = CliRun.of("decontam", "--input", in.toString(), "--out", out.toString(), "--benchmarks", "humaneval,mbpp");
        if (r.code() != 0) throw new AssertionError("decontam failed: " + r.err());
        Path file = dir.resolve("decontam.html");
        copy(out.resolve("report.html"), file);
        return file;
    }

    /** The oss-instruct funnel page of a run with a teacher that failed a few calls and rejected answers of every kind. */
    static Path ossInstruct(Path dir) {
        Path out = mkdirs(dir.resolve("oss-instruct"));
        Map<String, Integer> failures = new LinkedHashMap<>();
        failures.put("HTTP 429 Too Many Requests (after 5 retries)", 7);
        failures.put("timeout after 120 s", 2);
        var asked = new dev.codellm.data.ossinstruct.TeacherRun.Stats(500, 0, 491, 9, 0, 412_000, 290_000, failures);
        Map<String, Integer> rejected = new LinkedHashMap<>();
        rejected.put("no [Problem Description] section", 23);
        rejected.put("problem too short", 11);
        rejected.put("python solution does not parse", 31);
        rejected.put("near-duplicate of an earlier problem (MinHash Jaccard >= 0.8)", 17);
        rejected.put("contaminated", 4);
        var curated = new dev.codellm.data.ossinstruct.Curator.Stats(491, 457, 405, rejected);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("seeds", Map.of("count", 500));
        dev.codellm.data.ossinstruct.OssInstructPipeline.writeReport(out, report, 500, asked, curated, "gpt-4o-mini-2024-07-18");
        Path file = dir.resolve("oss-instruct.html");
        copy(out.resolve("report.html"), file);
        return file;
    }

    /** oss-instruct's analysis.html: categories, problem lengths, similarity to HumanEval (the shapes a real run gives). */
    static Path ossAnalysis(Path dir) {
        Map<String, Integer> categories = new LinkedHashMap<>();
        String[] names = {"algorithmic and data structure problems", "mathematical and computational problems", "database and SQL problems",
                "system design and architecture problems", "security and cryptography problems", "performance and optimization problems",
                "web problems", "domain specific problems", "user interface and application design problems", "data science and machine learning problems"};
        for (int i = 0; i < names.length; i++) categories.put(names[i], 120 - 11 * i);
        Map<String, Integer> lengths = new LinkedHashMap<>();
        int[] counts = {3, 41, 188, 302, 211, 97, 40, 12, 0, 1};
        for (int i = 0; i < counts.length; i++) lengths.put((i * 250) + "-" + ((i + 1) * 250 - 1), counts[i]);
        Map<String, Integer> sims = new LinkedHashMap<>();
        int[] s = {0, 2, 31, 220, 402, 211, 28, 1, 0, 0};
        for (int i = 0; i < s.length; i++) sims.put(String.format(java.util.Locale.ROOT, "%.1f-%.1f", i / 10.0, (i + 1) / 10.0), s[i]);
        Path file = dir.resolve("oss-analysis.html");
        dev.codellm.embed.CategoryAnalysis.writeHtml(file, 895, new dev.codellm.embed.CategoryAnalysis.Result(categories, lengths, sims, 0.412,
                List.of(), List.of()));
        return file;
    }

    private static Path mkdirs(Path d) {
        try {
            return Files.createDirectories(d);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
