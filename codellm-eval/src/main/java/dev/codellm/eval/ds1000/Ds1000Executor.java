package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunRequest;
import dev.codellm.eval.sandbox.RunResult;
import dev.codellm.eval.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs DS-1000 programs in the sandbox, a batch per sandbox run: {@code ds1000_harness.py}
 * imports the libraries the batch's test code imports once, then forks one child per program
 * (see the harness for what keeps problems apart). Starting Python and importing pandas, torch,
 * sklearn and matplotlib costs seconds of CPU; paid once per batch instead of once per problem.
 *
 * <p>Limits per program: upstream's 120 s ({@code check_correctness(timeout=120)}) times
 * {@code timeScale}, counted in CPU seconds as the project's other Python limits are (a loaded
 * machine does not turn slowness into timeouts), and {@value #WALL_FACTOR}× that in wall-clock
 * time for a program that blocks without computing. Libraries run single-threaded
 * ({@code OMP_NUM_THREADS=1}, ...): the sandbox's process limit counts threads, and parallel BLAS
 * would only fight the other jobs for the cores.
 *
 * <p>If the harness itself stops (killed by a program, the sandbox's own wall clock), the program
 * that was running gets a failing verdict saying so and the rest of the batch runs again.
 */
public final class Ds1000Executor implements SampleExecutor<Ds1000Problem, Ds1000Verdict> {
    public static final String PYTHON = "/usr/bin/python3";
    /** Upstream's per-problem timeout in seconds. */
    public static final double TIMEOUT_SECONDS = 120;
    static final double WALL_FACTOR = 3;
    /** Interpreter start and imports of a batch, under load. */
    private static final long STARTUP_SECONDS = 120;
    private static final String HARNESS = "ds1000_harness.py";
    static final Map<String, String> ENV = Map.of(
            "OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1", "MKL_NUM_THREADS", "1",
            "MPLBACKEND", "Agg", "MPLCONFIGDIR", "/tmp/matplotlib",
            "TF_CPP_MIN_LOG_LEVEL", "3", "CUDA_VISIBLE_DEVICES", "-1");  // the last two as upstream's driver sets them

    private final Sandbox sandbox;
    private final double timeout;
    private final byte[] harness;

    /** @param timeScale multiplies upstream's 120 s per problem */
    public Ds1000Executor(Sandbox sandbox, double timeScale) {
        if (!(timeScale > 0)) throw new IllegalArgumentException("time scale must be > 0");
        this.sandbox = sandbox;
        this.timeout = TIMEOUT_SECONDS * timeScale;
        try (InputStream in = Ds1000Executor.class.getResourceAsStream(HARNESS)) {
            if (in == null) throw new IllegalStateException("harness resource missing: " + HARNESS);
            this.harness = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The per-problem CPU limit in seconds. */
    public double timeoutSeconds() { return timeout; }

    @Override
    public Ds1000Verdict judge(Ds1000Problem problem, String answer) {
        return judgeAll(List.of(problem), List.of(answer)).get(0);
    }

    @Override
    public String describe() {
        return sandbox.describe() + "; DS-1000: one fork per program from a server that imported the libraries, "
                + Math.round(timeout) + " CPU s per program";
    }

    /** Verdicts for {@code answers.get(i)} on {@code problems.get(i)}, in order. */
    public List<Ds1000Verdict> judgeAll(List<Ds1000Problem> problems, List<String> answers) {
        if (problems.size() != answers.size()) throw new IllegalArgumentException("one answer per problem");
        Ds1000Verdict[] out = new Ds1000Verdict[problems.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < out.length; i++) todo.add(i);
        while (!todo.isEmpty()) {
            Batch b = runBatch(problems, answers, todo);
            List<Integer> missing = new ArrayList<>();
            for (int i : todo) {
                if (b.verdicts().containsKey(i)) out[i] = b.verdicts().get(i);
                else missing.add(i);
            }
            if (missing.isEmpty()) break;
            // The harness ran programs in order: the first without a verdict was running when it stopped.
            int culprit = missing.get(0);
            RunResult r = b.result();
            String why = r.timedOut() ? "the sandbox's wall-clock limit stopped the harness while this program ran"
                    : "the harness stopped while this program ran (exit " + r.exitCode() + ")" + tail(r.stderr());
            out[culprit] = Ds1000Verdict.failure(r.timedOut() ? Ds1000Verdict.TIMEOUT : Ds1000Verdict.FAIL, why, r.wallMillis());
            todo = missing.subList(1, missing.size());
        }
        return List.of(out);
    }

    private record Batch(Map<Integer, Ds1000Verdict> verdicts, RunResult result) {}

    private Batch runBatch(List<Ds1000Problem> problems, List<String> answers, List<Integer> indices) {
        ObjectNode req = Json.MAPPER.createObjectNode().put("timeout", timeout).put("wall_factor", WALL_FACTOR);
        ArrayNode progs = req.putArray("programs");
        for (int i : indices) {
            progs.addObject().put("id", Integer.toString(i)).put("code_context", problems.get(i).codeContext()).put("answer", answers.get(i));
        }
        long wall = STARTUP_SECONDS + (long) Math.ceil(indices.size() * (timeout * WALL_FACTOR + 5));
        Limits limits = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(wall));
        RunResult r = sandbox.run(RunRequest.of(List.of(PYTHON, HARNESS, "batch.json"), limits)
                .withFileBytes(HARNESS, harness)
                .withFile("batch.json", Json.line(req))
                .withEnv(ENV));
        Map<Integer, Ds1000Verdict> verdicts = new HashMap<>();
        String text = r.stdout();
        if (text != null) {
            // The harness's standard output, which the programs cannot reach; still parsed defensively.
            for (String line : text.split("\n")) {
                JsonNode n = parse(line);
                if (n == null || !n.path("id").isTextual()) continue;
                int i;
                try {
                    i = Integer.parseInt(n.get("id").asText());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!indices.contains(i) || verdicts.containsKey(i)) continue;
                verdicts.put(i, verdict(n));
            }
        }
        return new Batch(verdicts, r);
    }

    private static Ds1000Verdict verdict(JsonNode n) {
        Ds1000Verdict v = Ds1000Verdict.fromJson(n);
        if (!List.of(Ds1000Verdict.PASS, Ds1000Verdict.FAIL, Ds1000Verdict.TIMEOUT).contains(v.status())) {
            return Ds1000Verdict.failure(Ds1000Verdict.FAIL, "unknown status from the harness", v.wallMillis());
        }
        String where = n.path("where").asText(null);
        String error = v.error() != null && where != null ? v.error() + " (at " + where + ")" : v.error();
        return new Ds1000Verdict(v.status(), v.passed() ? null : error, v.missingModule(), v.network(), v.wallMillis());
    }

    private static JsonNode parse(String line) {
        if (line.isBlank()) return null;
        try {
            return Jsonl.parse(line, "harness result").stream().findFirst().map(Jsonl.Line::json).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String tail(String s) {
        s = s.strip();
        if (s.isEmpty()) return "";
        return ": " + (s.length() <= 300 ? s : "…" + s.substring(s.length() - 300));
    }
}
