package dev.codellm.embed;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.benchmark.BenchmarkSpec;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magicoder's analysis of generated problems: embed each problem with all-MiniLM-L6-v2, assign it
 * to the closest of 10 category descriptions by cosine similarity, and report the category
 * distribution, the length distribution and how similar the data is to HumanEval (for each
 * problem, the cosine similarity to its nearest HumanEval prompt). Writes analysis.json and a
 * self-contained analysis.html with bar charts.
 */
public final class CategoryAnalysis {

    /** The 10 categories (names after the Magicoder paper's figure; descriptions ours). */
    public static final Map<String, String> CATEGORIES = categories();

    private static Map<String, String> categories() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Algorithmic and Data Structure Problems", "Algorithms and data structures: sorting, searching, graphs, trees, dynamic programming, strings, arrays, linked lists and hash maps.");
        m.put("Mathematical and Computational Problems", "Mathematics and numerical computation: arithmetic, number theory, primes, geometry, statistics, matrices and formulas.");
        m.put("Database and SQL Problems", "Databases: SQL queries, tables, joins, schemas, transactions, indexes and ORM models.");
        m.put("System Design and Architecture Problems", "System design and software architecture: classes, interfaces, design patterns, modules, services, APIs and concurrency.");
        m.put("Security and Cryptography Problems", "Security and cryptography: encryption, hashing, passwords, authentication, permissions and input validation.");
        m.put("Performance and Optimization Problems", "Performance and optimization: speed, memory use, caching, profiling, complexity and efficient implementations.");
        m.put("Web Problems", "Web development: HTTP requests, REST APIs, HTML, CSS, JavaScript frontends, URLs, web servers and browsers.");
        m.put("Domain Specific Problems", "Domain-specific applications: finance, games, science, biology, physics simulation, banking or inventory systems.");
        m.put("User Interface and Application Design Problems", "User interfaces and applications: GUI widgets, forms, buttons, command-line tools, menus and user interaction.");
        m.put("Data Science and Machine Learning Problems", "Data science and machine learning: datasets, pandas dataframes, training models, neural networks, prediction and plotting.");
        return m;
    }

    /** Embeds texts (normalised vectors, so a dot product is the cosine similarity). */
    public interface Embedder {
        float[] embed(String text);
    }

    /** all-MiniLM-L6-v2, quantized, in process (no network: the model ships inside the jar). */
    public static Embedder miniLm() {
        AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
        return text -> normalise(model.embed(text).content().vector());
    }

    static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) n += x * x;
        float inv = (float) (1 / Math.max(1e-12, Math.sqrt(n)));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] * inv;
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public record Result(Map<String, Integer> categories, Map<String, Integer> lengthHistogram,
                         Map<String, Integer> humanEvalSimilarityHistogram, double meanHumanEvalSimilarity,
                         List<String> assigned, List<Double> nearestHumanEval) {}

    private final Embedder embedder;

    public CategoryAnalysis(Embedder embedder) {
        this.embedder = embedder;
    }

    /** The category of one problem: the closest description. */
    public String categorize(String problem) {
        return nearest(embedder.embed(problem), embedCategories());
    }

    private List<float[]> categoryVectors;

    private List<float[]> embedCategories() {
        if (categoryVectors == null) {
            categoryVectors = new ArrayList<>();
            for (String d : CATEGORIES.values()) categoryVectors.add(embedder.embed(d));
        }
        return categoryVectors;
    }

    private static String nearest(float[] v, List<float[]> cats) {
        List<String> names = new ArrayList<>(CATEGORIES.keySet());
        int best = 0;
        for (int i = 1; i < cats.size(); i++) if (cosine(v, cats.get(i)) > cosine(v, cats.get(best))) best = i;
        return names.get(best);
    }

    public Result analyze(List<String> problems, List<String> humanEvalPrompts, PrintStream progressOut) {
        List<float[]> cats = embedCategories();
        List<float[]> he = new ArrayList<>();
        for (String p : humanEvalPrompts) he.add(embedder.embed(p));
        Map<String, Integer> dist = new LinkedHashMap<>();
        for (String c : CATEGORIES.keySet()) dist.put(c, 0);
        Map<String, Integer> lengths = new LinkedHashMap<>();
        for (String b : List.of("<200", "200-399", "400-799", "800-1599", ">=1600")) lengths.put(b, 0);
        Map<String, Integer> sims = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) sims.put(String.format("%.1f-%.1f", i / 10.0, (i + 1) / 10.0), 0);
        List<String> assigned = new ArrayList<>();
        List<Double> nearestHe = new ArrayList<>();
        double simSum = 0;
        Progress progress = progressOut == null ? null : new Progress("analysis", problems.size(), progressOut, 2000);
        for (String p : problems) {
            float[] v = embedder.embed(p);
            String c = nearest(v, cats);
            assigned.add(c);
            dist.merge(c, 1, Integer::sum);
            int len = p.length();
            lengths.merge(len < 200 ? "<200" : len < 400 ? "200-399" : len < 800 ? "400-799" : len < 1600 ? "800-1599" : ">=1600", 1, Integer::sum);
            double best = -1;
            for (float[] h : he) best = Math.max(best, cosine(v, h));
            simSum += best;
            nearestHe.add(best);
            int bucket = (int) Math.min(9, Math.max(0, Math.floor(best * 10)));
            sims.merge(String.format("%.1f-%.1f", bucket / 10.0, (bucket + 1) / 10.0), 1, Integer::sum);
            if (progress != null) progress.step(1);
        }
        return new Result(dist, lengths, sims, problems.isEmpty() ? 0 : simSum / problems.size(), assigned, nearestHe);
    }

    /**
     * Reads the {@code problem} fields of data.jsonl and compares them with HumanEval's prompts
     * (the registry's file, found or downloaded by {@code files}); writes analysis.json and analysis.html.
     */
    public static Result run(Path data, BenchmarkFiles files, Path outDir, PrintStream progressOut) {
        BenchmarkSpec he = BenchmarkRegistry.HUMANEVAL;
        return run(data, files.texts(he, he.promptFields()), outDir, progressOut);
    }

    /** As above with the reference prompts given. */
    public static Result run(Path data, List<String> humanEvalPrompts, Path outDir, PrintStream progressOut) {
        List<String> problems = new ArrayList<>();
        for (Jsonl.Line line : Jsonl.read(data, "data file")) {
            if (!line.json().path("problem").isTextual()) throw new CodellmException(line.where() + ": no \"problem\" text");
            problems.add(line.json().get("problem").asText());
        }
        Result res = new CategoryAnalysis(miniLm()).analyze(problems, humanEvalPrompts, progressOut);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", "all-MiniLM-L6-v2 (quantized ONNX, langchain4j)");
        json.put("problems", problems.size());
        json.put("categories", res.categories());
        json.put("problem_length_chars", res.lengthHistogram());
        json.put("nearest_humaneval_similarity", res.humanEvalSimilarityHistogram());
        json.put("mean_nearest_humaneval_similarity", Math.round(res.meanHumanEvalSimilarity() * 1000) / 1000.0);
        Json.write(outDir.resolve("analysis.json"), json);
        writeHtml(outDir.resolve("analysis.html"), problems.size(), res);
        return res;
    }

    /** analysis.html for {@code n} problems. */
    public static void writeHtml(Path file, int n, Result r) {
        Html.write(file, "OSS-Instruct data analysis", page(n, r));
    }

    /** The page body: one horizontal bar chart per distribution. */
    static String page(int n, Result r) {
        return "<h1>OSS-Instruct data analysis</h1>" + Html.paragraph(n + " problems, embedded with all-MiniLM-L6-v2.")
                + Html.heading("Categories") + SvgChart.horizontalBars("Categories (closest of 10 descriptions by cosine similarity)", r.categories())
                + Html.heading("Problem length") + SvgChart.horizontalBars("Problem length (characters)", r.lengthHistogram())
                + Html.heading("Similarity to HumanEval") + SvgChart.horizontalBars(String.format(java.util.Locale.ROOT,
                        "Similarity to the nearest HumanEval prompt (mean %.3f)", r.meanHumanEvalSimilarity()), r.humanEvalSimilarityHistogram());
    }
}
