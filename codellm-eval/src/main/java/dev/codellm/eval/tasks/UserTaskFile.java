package dev.codellm.eval.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Gzip;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.data.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's own problems, one JSON object per line, in either of two shapes (mixed freely):
 * <ul>
 *   <li><b>HumanEval</b>: {@code task_id}, {@code prompt} (signature + docstring, completed by a
 *       base model), {@code entry_point}, {@code test} (defines {@code check(candidate)}),
 *       optionally {@code canonical_solution} (the body that completes the prompt);</li>
 *   <li><b>instruction + tests</b>: {@code task_id}, {@code instruction} (the problem in words, put
 *       to an instruct model), {@code tests} (a list of assert statements) or {@code test} (test
 *       code; with {@code entry_point} it defines {@code check(candidate)}), optionally
 *       {@code test_setup}, {@code entry_point} (else the first function the asserts call) and
 *       {@code solution} (a whole reference program).</li>
 * </ul>
 * Tests run like HumanEval's and MBPP's: the program, then each test chunk, in the sandbox. A
 * malformed line is an error naming the file and line.
 */
public final class UserTaskFile {
    /** One task and whether it is in HumanEval's shape (its prompt is completed as it is). */
    public record UserTask(Task task, boolean completion) {}

    /** The tasks in file order and the SHA-256 of the (uncompressed) file. */
    public record Loaded(Path file, List<UserTask> tasks, String sha256) {
        public List<Task> plainTasks() { return tasks.stream().map(UserTask::task).toList(); }
    }

    private UserTaskFile() {}

    public static Loaded load(Path file) {
        byte[] content;
        try {
            content = Gzip.maybeGunzip(Files.readAllBytes(file), "task file " + file);
        } catch (NoSuchFileException e) {
            throw new CodellmException("task file not found: " + file);
        } catch (IOException e) {
            throw new CodellmException("cannot read task file " + file + ": " + e.getMessage());
        }
        List<UserTask> tasks = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Jsonl.Line line : Jsonl.parse(new String(content, StandardCharsets.UTF_8), "task file " + file)) {
            UserTask t = task(line);
            if (!ids.add(t.task().taskId())) throw new CodellmException(line.where() + ": task_id '" + t.task().taskId() + "' appears twice");
            tasks.add(t);
        }
        if (tasks.isEmpty()) throw new CodellmException("task file " + file + " holds no task");
        return new Loaded(file, tasks, BenchmarkFiles.sha256(content));
    }

    private static UserTask task(Jsonl.Line line) {
        ObjectNode r = line.json();
        String where = line.where();
        String id = text(r, "task_id");
        if (id == null || id.isBlank()) throw new CodellmException(where + ": needs a \"task_id\"");
        String prompt = text(r, "prompt"), instruction = text(r, "instruction"), entry = text(r, "entry_point"), test = text(r, "test");
        if (prompt != null) {
            if (entry == null || test == null) {
                throw new CodellmException(where + ": a HumanEval-format task needs \"prompt\", \"entry_point\" and \"test\" (task " + id + ")");
            }
            List<String> chunks = List.of(test, "check(" + entry + ")\n");
            return new UserTask(new Task(id, prompt, prompt, entry, text(r, "canonical_solution"), chunks, r), true);
        }
        if (instruction == null) {
            throw new CodellmException(where + ": each task needs \"prompt\" (HumanEval format) or \"instruction\" with \"tests\" (task " + id + ")");
        }
        List<String> chunks = new ArrayList<>();
        String setup = text(r, "test_setup");
        if (setup != null && !setup.isBlank()) chunks.add(setup);
        JsonNode tests = r.get("tests");
        if (tests != null && !tests.isNull()) {
            if (!tests.isArray() || tests.isEmpty()) throw new CodellmException(where + ": \"tests\" must be a non-empty list of assert statements (task " + id + ")");
            for (JsonNode t : tests) {
                if (!t.isTextual() || t.asText().isBlank()) throw new CodellmException(where + ": \"tests\" must hold strings (task " + id + ")");
                chunks.add(t.asText());
            }
        } else if (test != null) {
            chunks.add(test);
            if (entry != null && test.contains("def check(")) chunks.add("check(" + entry + ")\n");
        } else {
            throw new CodellmException(where + ": an instruction task needs \"tests\" (assert statements) or \"test\" (test code) (task " + id + ")");
        }
        if (entry == null) entry = calledFunction(chunks);
        return new UserTask(new Task(id, "", instruction, entry, text(r, "solution"), chunks, r), false);
    }

    private static final Pattern CALL = Pattern.compile("\\bassert\\s+(?:not\\s+)?\\(?\\s*([A-Za-z_]\\w*)\\s*\\(");
    private static final Set<String> BUILTINS = Set.of("len", "sorted", "set", "list", "tuple", "abs", "round", "isinstance", "all", "any", "math", "str", "int", "float");

    /** The first function an assert calls (skipping builtins like sorted(...)); null when there is none. */
    static String calledFunction(List<String> chunks) {
        for (String c : chunks) {
            Matcher m = CALL.matcher(c);
            while (m.find()) if (!BUILTINS.contains(m.group(1))) return m.group(1);
            Matcher any = Pattern.compile("([A-Za-z_]\\w*)\\s*\\(").matcher(c);
            while (any.find()) if (!BUILTINS.contains(any.group(1)) && !any.group(1).equals("assert")) return any.group(1);
        }
        return null;
    }

    private static String text(JsonNode r, String field) {
        JsonNode n = r.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
