package dev.codellm.eval.exec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HumanEval+/MBPP+ verdict of one sample, taken on the host from the outputs its run sent:
 * per phase (base, plus), every input in order must have exactly one output, a value, that
 * {@link EvalPlusOracle} accepts against the expected one; the first input that has none, an
 * error, a timeout, a non-value or a wrong value fails the phase and is reported (EvalPlus's
 * first failing input). Nothing else the run wrote counts.
 */
final class PlusVerdict {
    private PlusVerdict() {}

    record Phase(String status, Integer failIndex, String error, String limitHit) {}

    static SampleResult decide(Task task, PythonEvaluator.GroundTruth gt, List<JsonNode> lines, RunResult r, Limits limits, String whyNone) {
        Map<String, Map<Integer, JsonNode>> byPhase = new HashMap<>();
        String loadError = null;
        boolean loadTimeout = false;
        String loadLimit = null;
        for (JsonNode l : lines) {
            String phase = l.path("phase").asText("");
            if (phase.equals("load")) {
                loadError = l.path("error").asText("could not load the solution");
                loadTimeout = l.path("timeout").asBoolean();
                loadLimit = LimitHit.ofError(loadError, loadTimeout);
            } else if (phase.equals("base") || phase.equals("plus")) {
                if (!l.path("i").isInt()) continue;
                JsonNode prev = byPhase.computeIfAbsent(phase, k -> new HashMap<>()).putIfAbsent(l.get("i").asInt(), l);
                // Two outputs for one input: someone other than the harness wrote to the channel.
                if (prev != null) return tampered(r, "two outputs for " + phase + " input " + l.get("i").asInt());
            }
        }
        if (loadError != null) {
            String st = loadTimeout ? SampleResult.TIMEOUT : SampleResult.FAIL;
            return new SampleResult(st, st, input(task, "base_input", 0), null,
                    loadLimit == null ? loadError : loadError + " (loading the solution: " + LimitHit.describe(loadLimit, limits, limits.cpuSeconds()) + ")",
                    r.wallMillis(), loadLimit);
        }
        double atol = task.raw().path("atol").asDouble(0);
        String dataset = task.raw().path("dataset").asText();
        Phase base = judge(task, dataset, "base", gt.base(), gt.baseLimits(), byPhase.getOrDefault("base", Map.of()), atol, r, limits, whyNone);
        Phase plus = judge(task, dataset, "plus", gt.plus(), gt.plusLimits(), byPhase.getOrDefault("plus", Map.of()), atol, r, limits, whyNone);
        Phase failed = base.error() != null ? base : plus;
        return new SampleResult(base.status(), plus.status(),
                base.failIndex() == null ? null : input(task, "base_input", base.failIndex()),
                plus.failIndex() == null ? null : input(task, "plus_input", plus.failIndex()), failed.error(), r.wallMillis(),
                failed.limitHit());
    }

    private static Phase judge(Task task, String dataset, String phase, List<PyValue> expected, List<Double> seconds,
                               Map<Integer, JsonNode> got, double atol, RunResult r, Limits limits, String whyNone) {
        JsonNode inputs = task.raw().path(phase + "_input");
        for (int i = 0; i < expected.size(); i++) {
            JsonNode line = got.get(i);
            if (line == null) {
                return new Phase(r.timedOut() ? SampleResult.TIMEOUT : SampleResult.FAIL, i, "no output for this input: " + whyNone,
                        LimitHit.ofRun(r));
            }
            if (line.has("error")) {
                boolean timeout = line.path("timeout").asBoolean();
                String error = line.path("error").asText();
                String hit = LimitHit.ofError(error, timeout);
                if (hit != null) {
                    error += " (" + LimitHit.describe(hit, limits, seconds.get(i)) + (timeout ? " for this input" : "") + ")";
                }
                return new Phase(timeout ? SampleResult.TIMEOUT : SampleResult.FAIL, i, error, hit);
            }
            PyValue out;
            try {
                out = PyValue.decode(line.get("out"));
            } catch (PyValue.BadEncoding e) {
                return new Phase(SampleResult.FAIL, i, "output is not a value: " + e.getMessage(), null);
            }
            if (!EvalPlusOracle.matches(dataset, task.entryPoint(), inputs.path(i), out, expected.get(i), atol)) {
                return new Phase(SampleResult.FAIL, i, "wrong output", null);
            }
        }
        return new Phase(SampleResult.PASS, null, null, null);
    }

    private static SampleResult tampered(RunResult r, String why) {
        String msg = "result channel tampered with: " + why;
        return new SampleResult(SampleResult.FAIL, SampleResult.FAIL, null, null, msg, r.wallMillis());
    }

    private static JsonNode input(Task task, String field, int i) {
        JsonNode n = task.raw().path(field).path(i);
        return n.isMissingNode() ? null : n;
    }
}
