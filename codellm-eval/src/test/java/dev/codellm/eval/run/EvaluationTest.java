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
import dev.codellm.core.io.Json;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.evalplus.EvalPlusFamily;
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
        return new EvalOptions(id.cliName(), out, n, 0.0, 128, style, false, 2, 1, limit, resume, null, null, tmp.resolve("cache"), 1.0);
    }

    /** One run of the driver on the dataset's first {@code o.limit()} tasks; returns its scored results. */
    static Results run(EvalOptions o, Dataset full, SampleSource source) {
        return new Evaluation<>(EvalPlusFamily.suite(full, o, () -> sandbox), o).run(source).scores().get(0);
    }

    static Results run(EvalOptions o, DatasetId id, SampleSource source) {
        return run(o, dev.codellm.eval.TestDatasets.get(id), source);
    }

    static SampleSource model(Generator g) {
        return new SampleSource.Model(g, "fake");
    }

    static Dataset first(DatasetId id, EvalOptions o) {
        return dev.codellm.eval.TestDatasets.get(id).limit(o.limit());
    }

    @Test
    void generatedCanonicalCompletionsScoreFullMarksAndFilesHaveTheirShapes() throws IOException {
        Path out = tmp.resolve("run");
        EvalOptions o = opts(DatasetId.HUMANEVAL_PLUS, out, 2, PromptStyle.BASE, 3, false);
        FakeModel model = new FakeModel(first(DatasetId.HUMANEVAL_PLUS, o), Task::canonicalSolution);
        Results r = run(o, DatasetId.HUMANEVAL_PLUS, model(model));
        assertEquals(1.0, r.passAtK(false).get("pass@1"), 1e-12);
        assertEquals(1.0, r.passAtK(true).get("pass@1"), 1e-12);
        assertEquals(6, model.calls.get());

        JsonNode er = Json.MAPPER.readTree(out.resolve("eval_results.json").toFile());
        JsonNode first = er.path("eval").path("HumanEval/0").path(0);
        assertEquals("pass", first.path("base_status").asText());
        assertEquals("pass", first.path("plus_status").asText());
        assertTrue(first.path("base_fail_tests").isArray());
        assertEquals(1.0, er.path("pass_at_k").path("plus").path("pass@1").asDouble());
        assertTrue(er.path("limits_hit").isObject() && er.path("limits_hit").isEmpty(), "no limit stopped a canonical solution");
        assertEquals(6, Files.readAllLines(out.resolve(Evaluation.SAMPLES)).size());
        JsonNode line = Json.MAPPER.readTree(Files.readAllLines(out.resolve(Evaluation.RESULTS)).get(0));
        assertEquals("passed", line.path("result").asText());
        assertFalse(line.has("limit_hit"));
        assertTrue(line.path("passed").asBoolean());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));

        // A rerun without --resume refuses to mix runs; with --resume nothing is redone.
        assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL_PLUS, model(model)));
        run(opts(DatasetId.HUMANEVAL_PLUS, out, 2, PromptStyle.BASE, 3, true), DatasetId.HUMANEVAL_PLUS, model(model));
        assertEquals(6, model.calls.get(), "resume regenerates nothing");
        assertEquals(6, Files.readAllLines(out.resolve(Evaluation.RESULTS)).size(), "resume retests nothing");
    }

    @Test
    void openAiEndpointBackendEndToEnd() throws IOException {
        Dataset d = dev.codellm.eval.TestDatasets.get(DatasetId.HUMANEVAL).limit(2);
        Map<String, String> answers = new java.util.HashMap<>();
        d.tasks().forEach(t -> answers.put(t.prompt(), t.canonicalSolution()));
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<JsonNode> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/v1/completions", ex -> {
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody());
            requests.add(req);
            byte[] body = Json.MAPPER.writeValueAsBytes(Map.of("choices", List.of(Map.of("text", answers.get(req.path("prompt").asText()), "finish_reason", "stop"))));
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try (var gen = dev.codellm.core.openai.OpenAiGenerator.open("http://127.0.0.1:" + server.getAddress().getPort(), "stub")) {
            Results r = run(opts(DatasetId.HUMANEVAL, tmp.resolve("http"), 1, PromptStyle.BASE, 2, false), d, new SampleSource.Model(gen, "stub"));
            assertEquals(1.0, r.passAtK(false).get("pass@1"), 1e-12);
            assertEquals(2, requests.size());
            assertEquals("\ndef ", requests.get(0).path("stop").path(0).asText(), "base style sends the usual stop sequences");
            assertEquals(128, requests.get(0).path("max_tokens").asInt());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void endpointFailureKeepsFinishedSamplesAndResumeContinues() throws IOException {
        Path out = tmp.resolve("fail");
        EvalOptions o = opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, false);
        FakeModel model = new FakeModel(first(DatasetId.HUMANEVAL, o), Task::canonicalSolution);
        model.failAfter = 2;
        CodellmException e = assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL, model(model)));
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        assertEquals(2, Files.readAllLines(out.resolve(Evaluation.SAMPLES)).size(), "finished samples are kept");
        // A torn last line, as after kill -9 mid-write, is dropped on resume.
        Files.writeString(out.resolve(Evaluation.SAMPLES), "{\"task_id\": \"HumanEval/3\", \"compl", java.nio.file.StandardOpenOption.APPEND);

        model.failAfter = Integer.MAX_VALUE;
        model.calls.set(0);
        Results r = run(opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, true), DatasetId.HUMANEVAL, model(model));
        assertEquals(2, model.calls.get(), "only the two missing samples are generated");
        assertEquals(4, r.outcomes().size());
        assertEquals(1.0, r.passAtK(false).get("pass@1"), 1e-12);
    }

    /** Issue 21 §5: a corrupt middle line used to truncate everything after it on --resume. */
    @Test
    void aCorruptMiddleLineStopsTheResumeNamingTheLineAndLosesNothing() throws IOException {
        Path out = tmp.resolve("corrupt");
        EvalOptions o = opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, false);
        FakeModel model = new FakeModel(first(DatasetId.HUMANEVAL, o), Task::canonicalSolution);
        model.failAfter = 3;
        assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL, model(model)));
        Path samples = out.resolve(Evaluation.SAMPLES);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(samples));
        assertEquals(3, lines.size());
        lines.set(1, lines.get(1).substring(0, 20));  // damaged in the middle, not torn by a crash
        Files.write(samples, lines);
        String before = Files.readString(samples);

        model.failAfter = Integer.MAX_VALUE;
        CodellmException e = assertThrows(CodellmException.class,
                () -> run(opts(DatasetId.HUMANEVAL, out, 1, PromptStyle.BASE, 4, true), DatasetId.HUMANEVAL, model(model)));
        assertTrue(e.getMessage().contains(samples + ":2"), e.getMessage());
        assertEquals(before, Files.readString(samples), "the lines after the corrupt one are kept");
    }

    @Test
    void instructStyleSanitizesChattyAnswersAndMbppUsesThreeShot() {
        EvalOptions o = opts(DatasetId.MBPP, tmp.resolve("mbpp"), 1, PromptStyle.INSTRUCT, 2, false);
        FakeModel model = new FakeModel(first(DatasetId.MBPP, o), t -> t.canonicalSolution() + "\n\nprint('demo')\n");
        assertEquals(1.0, run(o, DatasetId.MBPP, model(model)).passAtK(false).get("pass@1"), 1e-12);

        EvalOptions o3 = opts(DatasetId.MBPP, tmp.resolve("mbpp3"), 1, PromptStyle.MBPP_3SHOT, 2, false);
        Dataset three = first(DatasetId.MBPP, o3);
        Task first = three.tasks().get(0);
        assertTrue(first.prompt().startsWith("You are an expert Python programmer, and here is your task: Write a function to find the similar elements"));
        assertTrue(first.prompt().endsWith("[BEGIN]\n"));
        assertEquals("11", first.taskId());
        FakeModel m3 = new FakeModel(three, Task::canonicalSolution);
        assertEquals(1.0, run(o3, DatasetId.MBPP, model(m3)).passAtK(false).get("pass@1"), 1e-12);
    }

    @Test
    void samplesFilesAreCheckedLineByLineAndWrongSamplesFail() throws IOException {
        Dataset d = dev.codellm.eval.TestDatasets.get(DatasetId.HUMANEVAL).limit(2);
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"task_id\": \"HumanEval/0\", \"completion\": \"x\"}\n{not json\n");
        EvalOptions o = opts(DatasetId.HUMANEVAL, tmp.resolve("s1"), 1, PromptStyle.BASE, 2, false);
        CodellmException e = assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL, SampleSource.file(bad)));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("malformed JSON"), e.getMessage());

        Files.writeString(bad, "{\"completion\": \"x\"}\n");
        e = assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL, SampleSource.file(bad)));
        assertTrue(e.getMessage().contains("line 1: missing task_id"), e.getMessage());

        Files.writeString(bad, "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return True\\n\"}\n");
        e = assertThrows(CodellmException.class, () -> run(o, DatasetId.HUMANEVAL, SampleSource.file(bad)));
        assertTrue(e.getMessage().contains("HumanEval/1"), "names the task without samples: " + e.getMessage());

        // One right and one wrong sample per task: pass@1 = 0.5, and the wrong one names its failing assert.
        StringBuilder sb = new StringBuilder();
        for (Task t : d.tasks()) {
            sb.append(Json.MAPPER.writeValueAsString(Map.of("task_id", t.taskId(), "completion", t.canonicalSolution()))).append('\n');
            sb.append(Json.MAPPER.writeValueAsString(Map.of("task_id", t.taskId(), "solution", t.prompt() + "    return None\n"))).append('\n');
        }
        Path good = tmp.resolve("mixed.jsonl");
        Files.writeString(good, sb.toString());
        Results r = run(o, DatasetId.HUMANEVAL, SampleSource.file(good));
        assertEquals(0.5, r.passAtK(false).get("pass@1"), 1e-12);
        var fail = r.outcomes().get(0).firstFailure(false);
        assertTrue(fail.baseFailTest().asText().startsWith("assert candidate("), fail.toString());

        // compare: the canonical-only run solves what the mixed run solves, nothing only-one.
        Path out2 = tmp.resolve("s2");
        run(opts(DatasetId.HUMANEVAL, out2, 1, PromptStyle.BASE, 2, false), DatasetId.HUMANEVAL, SampleSource.canonical());
        List<Compare.Run> runs = List.of(Compare.load(tmp.resolve("s1")), Compare.load(out2));
        String table = Compare.table(runs);
        assertTrue(table.contains("50.0%") && table.contains("100.0%"), table);
        assertEquals(List.of(), Compare.onlySolvedBy(runs, 1));
    }
}
