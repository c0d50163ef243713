package dev.codellm.eval.run;

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
import dev.codellm.eval.Json;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetFiles;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.report.Compare;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs on a few tasks: generation → tests → files, resume after a failure, bad input. */
class EvaluationTest {
    @TempDir
    Path tmp;
    static BwrapSandbox sandbox;

    @BeforeAll
    static void init() {
        sandbox = BwrapSandbox.create();
    }

    /** Answers each prompt with a function of its task; can be told to fail after some calls. */
    static final class FakeModel implements Generator {
        final Map<String, Task> byPrompt = new java.util.HashMap<>();
        final Function<Task, String> answer;
        final AtomicInteger calls = new AtomicInteger();
        volatile int failAfter = Integer.MAX_VALUE;

        FakeModel(Dataset d, Function<Task, String> answer) {
            d.tasks().forEach(t -> byPrompt.put(t.prompt(), t));
            d.tasks().forEach(t -> byPrompt.put(t.instruction().strip(), t));
            this.answer = answer;
        }

        @Override
        public ModelInfo info() { return new ModelInfo("fake", 4096, false, null); }

        @Override
        public Completion complete(CompletionRequest r, TokenSink sink) {
            if (calls.incrementAndGet() > failAfter) throw new CodellmException("endpoint http://x/v1/completions failed after 6 attempt(s): HTTP 503");
            return new Completion(answer.apply(byPrompt.get(r.prompt())), FinishReason.STOP, new Usage(1, 1));
        }

        @Override
        public Completion chat(ChatRequest r, TokenSink sink) {
            String user = r.messages().get(0).content();
            String inner = user.substring(user.indexOf("```\n") + 4, user.lastIndexOf("\n```"));
            Task t = byPrompt.get(inner.strip());
            return new Completion("Sure!\n" + answer.apply(t) + "\n```\nThis is correct.", FinishReason.STOP, new Usage(1, 1));
        }
    }

    EvalOptions opts(DatasetId id, Path out, int n, PromptStyle style, int limit, boolean resume) {
        return new EvalOptions(id, out, n, 0.0, 128, style, false, 2, 1, limit, resume, null, null, tmp.resolve("cache"));
    }

    @Test
    void generatedCanonicalCompletionsScoreFullMarksAndFilesHaveTheirShapes() throws IOException {
        Path out = tmp.resolve("run");
        EvalOptions o = opts(DatasetId.HUMANEVAL_PLUS, out, 2, PromptStyle.BASE, 3, false);
        Evaluation ev = new Evaluation(o, sandbox);
        FakeModel model = new FakeModel(ev.dataset(), Task::canonicalSolution);
        Results r = ev.runWithGenerator(model, "fake");
        assertEquals(1.0, r.passAtK(false).get("pass@1"), 1e-12);
        assertEquals(1.0, r.passAtK(true).get("pass@1"), 1e-12);
        assertEquals(6, model.calls.get());

        JsonNode er = Json.MAPPER.readTree(out.resolve("eval_results.json").toFile());
        JsonNode first = er.path("eval").path("HumanEval/0").path(0);
        assertEquals("pass", first.path("base_status").asText());
        assertEquals("pass", first.path("plus_status").asText());
        assertTrue(first.path("base_fail_tests").isArray());
        assertEquals(1.0, er.path("pass_at_k").path("plus").path("pass@1").asDouble());
        assertEquals(6, Files.readAllLines(out.resolve(Evaluation.SAMPLES)).size());
        JsonNode line = Json.MAPPER.readTree(Files.readAllLines(out.resolve(Evaluation.RESULTS)).get(0));
        assertEquals("passed", line.path("result").asText());
        assertTrue(line.path("passed").asBoolean());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));

        // A rerun without --resume refuses to mix runs; with --resume nothing is redone.
        assertThrows(CodellmException.class, () -> new Evaluation(o, sandbox).runWithGenerator(model, "fake"));
        new Evaluation(opts(DatasetId.HUMANEVAL_PLUS, out, 2, PromptStyle.BASE, 3, true), sandbox).runWithGenerator(model, "fake");
        assertEquals(6, model.calls.get(), "resume regenerates nothing");
        assertEquals(6, Files.readAllLines(out.resolve(Evaluation.RESULTS)).size(), "resume retests nothing");
    }

    @Test
    void endpointFailureKeepsFinishedSamplesAndResumeContinues() throws IOException {
        Path out = tmp.resolve("fail");
        Evaluation ev = new Evaluation(opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, false), sandbox);
        FakeModel model = new FakeModel(ev.dataset(), Task::canonicalSolution);
        model.failAfter = 2;
        CodellmException e = assertThrows(CodellmException.class, () -> ev.runWithGenerator(model, "fake"));
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        assertEquals(2, Files.readAllLines(out.resolve(Evaluation.SAMPLES)).size(), "finished samples are kept");
        // A torn last line, as after kill -9 mid-write, is dropped on resume.
        Files.writeString(out.resolve(Evaluation.SAMPLES), "{\"task_id\": \"HumanEval/3\", \"compl", java.nio.file.StandardOpenOption.APPEND);

        model.failAfter = Integer.MAX_VALUE;
        model.calls.set(0);
        Results r = new Evaluation(opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, true), sandbox).runWithGenerator(model, "fake");
        assertEquals(2, model.calls.get(), "only the two missing samples are generated");
        assertEquals(4, r.outcomes().size());
        assertEquals(1.0, r.passAtK(false).get("pass@1"), 1e-12);
    }

    @Test
    void instructStyleSanitizesChattyAnswersAndMbppUsesThreeShot() {
        Evaluation ev = new Evaluation(opts(DatasetId.MBPP, tmp.resolve("mbpp"), 1, PromptStyle.INSTRUCT, 2, false), sandbox);
        FakeModel model = new FakeModel(ev.dataset(), t -> t.canonicalSolution() + "\n\nprint('demo')\n");
        assertEquals(1.0, ev.runWithGenerator(model, "fake").passAtK(false).get("pass@1"), 1e-12);

        Evaluation three = new Evaluation(opts(DatasetId.MBPP, tmp.resolve("mbpp3"), 1, PromptStyle.MBPP_3SHOT, 2, false), sandbox);
        Task first = three.dataset().tasks().get(0);
        assertTrue(first.prompt().startsWith("You are an expert Python programmer, and here is your task: Write a function to find the similar elements"));
        assertTrue(first.prompt().endsWith("[BEGIN]\n"));
        assertEquals("11", first.taskId());
        FakeModel m3 = new FakeModel(three.dataset(), Task::canonicalSolution);
        assertEquals(1.0, three.runWithGenerator(m3, "fake").passAtK(false).get("pass@1"), 1e-12);
    }

    @Test
    void samplesFilesAreCheckedLineByLineAndWrongSamplesFail() throws IOException {
        Dataset d = Dataset.load(DatasetId.HUMANEVAL, DatasetFiles.standard(null)).limit(2);
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"task_id\": \"HumanEval/0\", \"completion\": \"x\"}\n{not json\n");
        Evaluation ev = new Evaluation(opts(DatasetId.HUMANEVAL, tmp.resolve("s1"), 1, PromptStyle.BASE, 2, false), sandbox);
        CodellmException e = assertThrows(CodellmException.class, () -> ev.runWithSamplesFile(bad, "bad"));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("malformed JSON"), e.getMessage());

        Files.writeString(bad, "{\"completion\": \"x\"}\n");
        e = assertThrows(CodellmException.class, () -> ev.runWithSamplesFile(bad, "bad"));
        assertTrue(e.getMessage().contains("line 1: missing task_id"), e.getMessage());

        Files.writeString(bad, "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return True\\n\"}\n");
        e = assertThrows(CodellmException.class, () -> ev.runWithSamplesFile(bad, "bad"));
        assertTrue(e.getMessage().contains("HumanEval/1"), "names the task without samples: " + e.getMessage());

        // One right and one wrong sample per task: pass@1 = 0.5, and the wrong one names its failing assert.
        StringBuilder sb = new StringBuilder();
        for (Task t : d.tasks()) {
            sb.append(Json.MAPPER.writeValueAsString(Map.of("task_id", t.taskId(), "completion", t.canonicalSolution()))).append('\n');
            sb.append(Json.MAPPER.writeValueAsString(Map.of("task_id", t.taskId(), "solution", t.prompt() + "    return None\n"))).append('\n');
        }
        Path good = tmp.resolve("mixed.jsonl");
        Files.writeString(good, sb.toString());
        Results r = ev.runWithSamplesFile(good, "mixed");
        assertEquals(0.5, r.passAtK(false).get("pass@1"), 1e-12);
        var fail = r.outcomes().get(0).firstFailure(false);
        assertTrue(fail.baseFailTest().asText().startsWith("assert candidate("), fail.toString());

        // compare: the canonical-only run solves what the mixed run solves, nothing only-one.
        Path out2 = tmp.resolve("s2");
        new Evaluation(opts(DatasetId.HUMANEVAL, out2, 1, PromptStyle.BASE, 2, false), sandbox).runCanonical();
        List<Compare.Run> runs = List.of(Compare.load(tmp.resolve("s1")), Compare.load(out2));
        String table = Compare.table(runs);
        assertTrue(table.contains("50.0%") && table.contains("100.0%"), table);
        assertEquals(List.of(), Compare.onlySolvedBy(runs, 1));
    }
}
