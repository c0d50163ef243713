package dev.codellm.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Jsonl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A loaded benchmark: its tasks in file order and the SHA-256 of the content they came from. */
public record Dataset(DatasetId id, List<Task> tasks, String sha256) {
    /** Original MBPP's evaluation split (Austin et al.): task ids 11..510. */
    public static final int MBPP_TEST_FIRST = 11, MBPP_TEST_LAST = 510;

    public Dataset {
        tasks = List.copyOf(tasks);
    }

    /** Loads through the one dataset lookup (which warns when the content is not the pinned release). */
    public static Dataset load(DatasetId id, BenchmarkFiles files) {
        BenchmarkFiles.Content content = files.load(id.spec());
        String sha = content.sha256();
        List<ObjectNode> rows = content.rows().stream().map(Jsonl.Line::json).toList();
        List<Task> tasks = switch (id) {
            case HUMANEVAL, HUMANEVAL_PLUS -> rows.stream().map(r -> humanEval(r, id)).toList();
            case MBPP_PLUS -> rows.stream().map(Dataset::mbppPlus).toList();
            case MBPP -> mbpp(rows);
        };
        return new Dataset(id, tasks, sha);
    }

    public Map<String, Task> byId() {
        Map<String, Task> m = new LinkedHashMap<>();
        for (Task t : tasks) m.put(t.taskId(), t);
        return m;
    }

    /** The first {@code limit} tasks (all when limit <= 0). */
    public Dataset limit(int limit) {
        if (limit <= 0 || limit >= tasks.size()) return this;
        return new Dataset(id, tasks.subList(0, limit), sha256);
    }

    private static String text(ObjectNode r, String field) {
        JsonNode n = r.get(field);
        if (n == null || n.isNull()) throw new CodellmException("dataset record " + r.path("task_id") + " lacks field '" + field + "'");
        return n.asText();
    }

    private static Task humanEval(ObjectNode r, DatasetId id) {
        String entry = text(r, "entry_point");
        r.put("dataset", id.cliName());
        List<String> tests = id.isPlus() ? List.of() : List.of(text(r, "test"), "check(" + entry + ")\n");
        String prompt = text(r, "prompt");
        return new Task(text(r, "task_id"), prompt, prompt, entry, text(r, "canonical_solution"), tests, r);
    }

    private static Task mbppPlus(ObjectNode r) {
        r.put("dataset", DatasetId.MBPP_PLUS.cliName());
        String prompt = text(r, "prompt");
        return new Task(text(r, "task_id"), prompt, prompt, text(r, "entry_point"), text(r, "canonical_solution"), List.of(), r);
    }

    private static List<Task> mbpp(List<ObjectNode> rows) {
        Map<Integer, ObjectNode> byId = new LinkedHashMap<>();
        for (ObjectNode r : rows) byId.put(r.path("task_id").asInt(), r);
        StringBuilder shots = new StringBuilder();
        for (int shot : MbppPrompt.SHOT_IDS) {
            ObjectNode s = byId.get(shot);
            if (s == null) throw new CodellmException("MBPP file lacks few-shot example task " + shot);
            shots.append(MbppPrompt.example(text(s, "text"), testList(s), text(s, "code")));
        }
        List<Task> tasks = new ArrayList<>();
        for (int tid = MBPP_TEST_FIRST; tid <= MBPP_TEST_LAST; tid++) {
            ObjectNode r = byId.get(tid);
            if (r == null) throw new CodellmException("MBPP file lacks test-split task " + tid);
            r.put("dataset", DatasetId.MBPP.cliName());
            List<String> tests = testList(r);
            String code = text(r, "code");
            List<String> chunks = new ArrayList<>();
            String setup = r.path("test_setup_code").asText("");
            if (!setup.isBlank()) chunks.add(setup);
            chunks.addAll(tests);
            tasks.add(new Task(Integer.toString(tid), MbppPrompt.prompt(shots.toString(), text(r, "text"), tests),
                    MbppPrompt.header(text(r, "text"), tests), entryPoint(code, tests, tid), code, chunks, r));
        }
        return tasks;
    }

    private static List<String> testList(ObjectNode r) {
        List<String> tests = new ArrayList<>();
        r.path("test_list").forEach(t -> tests.add(t.asText()));
        return tests;
    }

    private static final Pattern DEF = Pattern.compile("(?m)^\\s*def\\s+([A-Za-z_]\\w*)\\s*\\(");

    /** MBPP has no entry_point field: the defined function that the tests call. */
    static String entryPoint(String code, List<String> tests, int tid) {
        Matcher m = DEF.matcher(code);
        String first = null;
        String joined = String.join("\n", tests);
        while (m.find()) {
            String name = m.group(1);
            if (first == null) first = name;
            if (Pattern.compile("\\b" + Pattern.quote(name) + "\\s*\\(").matcher(joined).find()) return name;
        }
        if (first == null) throw new CodellmException("MBPP task " + tid + ": no function definition in the reference code");
        return first;
    }
}
