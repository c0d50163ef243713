package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.gen.Sanitizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A user's human-eval / EvalPlus samples file for the Python benchmarks. */
public final class SamplesFile {
    private SamplesFile() {}

    /**
     * Reads ({@link SampleRows}: JSON lines, bigcode's generations.json) {@code task_id} + {@code completion} (human-eval: appended to the prompt; for original
     * MBPP it is the whole program) or {@code solution} (EvalPlus: the whole program). Errors name
     * the line. Completion ids number each task's samples in file order.
     */
    public static List<SampleRecord> readUserSamples(Path file, DatasetId dataset, Map<String, Task> tasks, boolean sanitize) {
        List<SampleRecord> out = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (Jsonl.Line line : SampleRows.read(file, List.copyOf(tasks.keySet()))) {
            String where = line.where();
            JsonNode n = line.json();
            JsonNode id = n.get("task_id");
            if (id == null || id.isNull()) throw new CodellmException(where + ": missing task_id");
            String taskId = normalizeTaskId(id.asText(), dataset);
            boolean hasSolution = n.path("solution").isTextual(), hasCompletion = n.path("completion").isTextual();
            if (!hasSolution && !hasCompletion) throw new CodellmException(where + ": needs a 'completion' or 'solution' string");
            Task task = tasks.get(taskId);
            if (task == null) continue; // outside the selected tasks (another dataset or beyond --limit): checked by the caller
            String completion = hasSolution ? n.get("solution").asText() : n.get("completion").asText();
            String solution = hasSolution || dataset == DatasetId.MBPP ? completion : task.prompt() + completion;
            if (sanitize) solution = Sanitizer.sanitize(solution, task.entryPoint());
            int cid = counts.merge(taskId, 1, Integer::sum) - 1;
            out.add(new SampleRecord(taskId, cid, completion, solution));
        }
        return out;
    }

    /** Original MBPP task ids are numbers; accept "Mbpp/11" and 11 alike. */
    static String normalizeTaskId(String id, DatasetId dataset) {
        if (dataset == DatasetId.MBPP && id.startsWith("Mbpp/")) return id.substring(5);
        return id;
    }
}
