package dev.codellm.eval.tasks;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.core.io.Json;
import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.run.SampleSource;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own eight practical problems as a dataset, and two models compared task by task. */
class UserTasksTest {
    static final Path TASKS = Path.of("src/test/resources/tasks/practical.jsonl");
    static Sandbox sandbox;
    @TempDir Path tmp;

    @BeforeAll
    static void sandbox() {
        sandbox = EvalDatasets.defaultSandbox(2);
    }

    private EvalOptions opts(Path out, PromptStyle style) {
        return new EvalOptions(TASKS.toString(), out, 1, 0, 256, style, false, 2, 1, 0, false, null, null, tmp.resolve("cache"), 1.0);
    }

    /** A model that knows the reference answer of {@code knows} and answers the other tasks wrongly. */
    static Generator model(String name, Set<String> knows) {
        List<UserTaskFile.UserTask> tasks = UserTaskFile.load(TASKS).tasks();
        return new Generator() {
            @Override
            public ModelInfo info() { return new ModelInfo(name, 4096, false, null); }

            @Override
            public Completion complete(CompletionRequest r, TokenSink sink) {
                Task t = tasks.stream().map(UserTaskFile.UserTask::task).filter(x -> x.prompt().equals(r.prompt())).findFirst().orElseThrow();
                return answer(knows.contains(t.taskId()) ? t.canonicalSolution() : "    return None\n");
            }

            @Override
            public Completion chat(ChatRequest r, TokenSink sink) {
                String user = r.messages().get(0).content();
                Task t = tasks.stream().map(UserTaskFile.UserTask::task).filter(x -> !x.instruction().isEmpty() && user.contains(x.instruction()))
                        .findFirst().orElseThrow();
                // Instruct answers are markdown; the prefill opened the code block.
                String code = knows.contains(t.taskId()) ? t.canonicalSolution() : "def " + t.entryPoint() + "(*args):\n    return None\n";
                return answer(code + "```\n\nThis solution is efficient.");
            }

            private Completion answer(String text) {
                return new Completion(text, FinishReason.STOP, new Usage(1, 1));
            }
        };
    }

    @Test
    void theTaskFileLoadsInBothShapesAndItsReferencesPass() throws Exception {
        UserTaskFile.Loaded f = UserTaskFile.load(TASKS);
        assertEquals(8, f.tasks().size());
        assertEquals(4, f.tasks().stream().filter(UserTaskFile.UserTask::completion).count());
        assertEquals("two_sum", f.tasks().get(4).task().entryPoint(), "found from the asserts");
        Path out = tmp.resolve("canonical");
        EvalDatasets.run(opts(out, null), SampleSource.canonical(), () -> sandbox);
        JsonNode pak = Json.read(out.resolve("pass_at_k.json"));
        assertEquals("practical.jsonl", pak.get("dataset").asText());
        assertEquals(1.0, pak.path("pass_at_k").path("base").path("pass@1").asDouble(), 1e-12);
    }

    @Test
    void twoModelsSideBySideTaskByTask() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        EvalDatasets.run(opts(a, null), SampleSource.model(model("model-a", Set.of("merge_alternately", "reverse_words", "two_sum", "fizzbuzz"))), () -> sandbox);
        EvalDatasets.run(opts(b, null), SampleSource.model(model("model-b", Set.of("merge_alternately", "roman_to_int", "two_sum",
                "longest_common_prefix", "run_length_encode"))), () -> sandbox);
        assertEquals(0.5, Json.read(a.resolve("pass_at_k.json")).path("pass_at_k").path("base").path("pass@1").asDouble(), 1e-12);

        RunComparison cmp = EvalDatasets.compare(List.of(a, b));
        String text = cmp.text();
        assertTrue(text.contains("only model-a (a) solves: reverse_words, fizzbuzz"), text);
        assertTrue(text.contains("only model-b (b) solves: roman_to_int, longest_common_prefix, run_length_encode"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("valid_parentheses\\s+no\\s+no\\s*")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("merge_alternately\\s+solved\\s+solved\\s*")), text);
        JsonNode perTask = cmp.json().get("per_task");
        assertEquals("roman_to_int", perTask.get(3).get("task_id").asText());
        assertEquals("[false,true]", perTask.get(3).get("solved").toString());

        Path html = tmp.resolve("cmp.html");
        cmp.writeHtml(html);
        String page = Files.readString(html);
        // Both answers to a task side by side: model-b's right one and model-a's wrong one.
        int row = page.indexOf("<td>roman_to_int</td>");
        String cells = page.substring(row, page.indexOf("</tr>", row));
        assertTrue(cells.contains("return None") && cells.contains("total += v[c]"), cells);
        assertTrue(cells.indexOf("return None") < cells.indexOf("total += v[c]"), "in run order");
    }

    @Test
    void aMalformedTaskFileNamesTheLine() throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, Files.readAllLines(TASKS).get(0) + "\n" + Files.readAllLines(TASKS).get(4) + "\n"
                + "{\"task_id\": \"x\", \"instruction\": \"Write f.\"}\n");
        CodellmException e = assertThrows(CodellmException.class, () -> UserTaskFile.load(bad));
        assertEquals("task file " + bad + " line 3: an instruction task needs \"tests\" (assert statements) or \"test\" (test code) (task x)", e.getMessage());
        Files.writeString(bad, "{\"task_id\": \"x\", \"prompt\": \"def f():\\n\"}\n");
        e = assertThrows(CodellmException.class, () -> UserTaskFile.load(bad));
        assertTrue(e.getMessage().startsWith("task file " + bad + " line 1: a HumanEval-format task needs"), e.getMessage());
        Files.writeString(bad, "{\"task_id\": \"x\", \"prompt\": \n");
        e = assertThrows(CodellmException.class, () -> UserTaskFile.load(bad));
        assertTrue(e.getMessage().startsWith("task file " + bad + " line 1: malformed JSON"), e.getMessage());
        e = assertThrows(CodellmException.class, () -> EvalDatasets.run(opts(tmp.resolve("o"), PromptStyle.BASE),
                SampleSource.model(model("m", Set.of())), () -> sandbox));
        assertTrue(e.getMessage().contains("task two_sum of practical.jsonl is an instruction with no code prompt"), e.getMessage());
        e = assertThrows(CodellmException.class, () -> UserTaskFile.load(tmp.resolve("nope.jsonl")));
        assertEquals("task file not found: " + tmp.resolve("nope.jsonl"), e.getMessage());
    }
}
