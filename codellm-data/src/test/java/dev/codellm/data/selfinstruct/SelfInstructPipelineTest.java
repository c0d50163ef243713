package dev.codellm.data.selfinstruct;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.io.Json;
import dev.codellm.data.ossinstruct.Exports;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import dev.codellm.eval.tasks.AssertTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-instruct end to end with scripted teacher and solver and the real eval sandbox: the
 * verdicts come from running the answers against the tests in Python, so a wrong answer fails
 * and the first passing one is kept.
 */
class SelfInstructPipelineTest {
    static RecordDecontaminator decon;
    static String humanEval0;
    static AssertTests judge;
    @TempDir Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        decon = DecontamConfig.defaults("openai50").build(BenchmarkFiles.standard());
        JsonNode t = Json.MAPPER.readTree(BenchmarkFiles.standard().load(BenchmarkRegistry.HUMANEVAL).rows().get(0).json().toString());
        assertEquals("HumanEval/0", t.get("task_id").asText());
        humanEval0 = t.get("prompt").asText() + t.get("canonical_solution").asText();
        judge = AssertTests.inDefaultSandbox(2);
    }

    static final String ADD = "Write a function add(a, b) that returns the sum of the two integers a and b.";

    /** A chat-only model answering from the last user message. */
    static final class Scripted implements Generator {
        final String name;
        final Function<String, String> answer;
        final AtomicInteger calls = new AtomicInteger();

        Scripted(String name, Function<String, String> answer) {
            this.name = name;
            this.answer = answer;
        }

        @Override public ModelInfo info() { return new ModelInfo(name, 4096, false, null); }

        @Override public Completion complete(CompletionRequest r, TokenSink s) { throw new UnsupportedOperationException(); }

        @Override
        public Completion chat(ChatRequest r, TokenSink s) {
            calls.incrementAndGet();
            String user = r.messages().get(r.messages().size() - 1).content();
            String text = answer.apply(user);
            return new Completion(text, FinishReason.STOP, new Usage(user.length() / 4, text.length() / 4));
        }
    }

    static Scripted teacher() {
        return new Scripted("questions-model", user -> user.contains("about arithmetic")
                ? "1. " + ADD + "\n2. Write a function has_close_elements(numbers, threshold) that tells whether two numbers are closer than threshold.\n"
                        + "3. Write a function imp(x) that returns x plus one, the impossible one.\n"
                : "Here are the questions:\n1. " + ADD.replace("  ", " ") + "\n2) Write a function without any notests, just describe strings in detail.\n"
                        + "3. Write a function rev(s) that returns the string s reversed.\n");
    }

    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    Scripted solver() {
        return new Scripted("solver-model", user -> {
            if (user.contains("Write unit tests")) {
                if (user.contains("notests")) return "I would test it by hand.";
                if (user.contains("add(")) return "def add(a, b):\n```python\nassert add(1, 2) == 3\nassert add(-1, 1) == 0\n```";
                if (user.contains("has_close_elements")) return "def has_close_elements(numbers, threshold):\n```python\n"
                        + "assert has_close_elements([1.0, 2.0, 3.0], 0.5) == False\nassert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True\n```";
                if (user.contains("imp(")) return "def imp(x):\n```python\nassert imp(1) == 2\n```";
                return "def rev(s):\n```python\nassert rev('abc') == 'cba'\nassert rev('') == ''\n```";
            }
            int k = attempts.computeIfAbsent(user.substring(0, 30), x -> new AtomicInteger()).getAndIncrement();
            if (user.contains("add(")) return "```python\ndef add(a, b):\n    return a " + (k == 0 ? "-" : "+") + " b\n```";
            if (user.contains("has_close_elements")) return "```python\n" + humanEval0 + "```";
            if (user.contains("imp(")) return "```python\ndef imp(x):\n    return x\n```";
            return "Sure.\n```python\ndef rev(s):\n    return s[::-1]\n\nprint(rev('x'))\n```";
        });
    }

    SelfInstructPipeline.Config config() {
        TeacherClient.Options o = new TeacherClient.Options(2, 0, 1, Duration.ofMillis(1), SamplingParams.GREEDY);
        return new SelfInstructPipeline.Config(List.of("arithmetic", "strings"), null, 3, 3, o, o, 0.8, List.of(Exports.Format.values()));
    }

    @Test
    void keepsTheFirstAnswerThatPassesItsTestsInTheSandbox() throws Exception {
        Path out = tmp.resolve("out");
        Scripted teacher = teacher(), solver = solver();
        Map<String, Object> report = new SelfInstructPipeline(config(), null).run(teacher, solver, judge, decon, out);

        assertEquals(2, teacher.calls.get(), "one questions request per topic, none for tests or answers");
        assertEquals(Map.of("questions (deduplicated)", 5, "with tests", 4, "any passing", 3, "kept (deduplicated, decontaminated)", 1 + 1),
                report.get("funnel"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cur = (Map<String, Object>) report.get("curation");
        assertEquals(6, cur.get("questions_asked"));
        assertEquals(1, cur.get("duplicate_questions"));
        assertEquals(Map.of("no passing solution in 3", 1, "contaminated", 1), cur.get("rejected"));
        assertEquals(Map.of("1", 2, "2", 1), cur.get("attempts_to_first_pass"));
        assertEquals(5 + 2 + 1 + 3 + 1, solver.calls.get(), "tests for 5 questions; answers until the first pass, at most 3");

        List<String> data = Files.readAllLines(out.resolve("data.jsonl"));
        assertEquals(2, data.size());
        JsonNode add = Json.MAPPER.readTree(data.stream().filter(l -> l.contains("add(a, b)")).findFirst().orElseThrow());
        assertEquals(2, add.path("attempts").asInt(), "the wrong first answer failed in the sandbox");
        assertTrue(add.path("solution").asText().contains("return a + b"));
        JsonNode rev = Json.MAPPER.readTree(data.stream().filter(l -> l.contains("rev(s)")).findFirst().orElseThrow());
        assertFalse(rev.path("solution").asText().contains("print("), "the answer is sanitized like eval's: " + rev);
        assertEquals(2, rev.path("tests").size());
        JsonNode imp = Json.MAPPER.readTree(Files.readAllLines(out.resolve("solutions.jsonl")).stream().filter(l -> l.contains("\"t0-q2\"")).findFirst().orElseThrow());
        assertEquals(3, imp.path("attempts").size());
        assertFalse(imp.has("solution"));
        assertTrue(imp.path("attempts").get(0).path("error").asText().startsWith("AssertionError"), imp.toString());
        assertEquals("assert imp(1) == 2", imp.path("attempts").get(0).path("failed_test").asText(), imp.toString());
        assertTrue(Files.readString(out.resolve("rejected.jsonl")).contains("HumanEval/0"), "the HumanEval answer is removed as contaminated");
        for (Exports.Format f : Exports.Format.values()) assertEquals(List.of(), Exports.validate(out.resolve(f.fileName()), f));
        assertTrue(Files.readString(out.resolve("report.html")).contains("Funnel"));

        // A rerun asks nothing (every stage's lines are there) and writes the same data.
        Scripted dead = new Scripted("dead", u -> { throw new CodellmException("must not be asked"); });
        new SelfInstructPipeline(config(), null).run(dead, dead, judge, decon, out);
        assertEquals(0, dead.calls.get());
        assertEquals(data, Files.readAllLines(out.resolve("data.jsonl")));
    }

    @Test
    void givenQuestionsSkipTheTeacher() throws Exception {
        Path q = tmp.resolve("questions.jsonl");
        Files.write(q, List.of("{\"instruction\": \"" + ADD + "\"}", "{\"problem\": \"Write a function rev(s) that returns the string s reversed.\"}",
                "{\"instruction\": \"" + ADD + "\"}"));
        TeacherClient.Options o = new TeacherClient.Options(2, 0, 1, Duration.ofMillis(1), SamplingParams.GREEDY);
        var cfg = new SelfInstructPipeline.Config(List.of("unused"), q, 3, 3, o, o, 0.8, List.of(Exports.Format.MESSAGES));
        Scripted dead = new Scripted("dead", u -> { throw new CodellmException("the teacher must not be asked"); });
        Map<String, Object> report = new SelfInstructPipeline(cfg, null).run(dead, solver(), judge, null, tmp.resolve("given"));
        assertEquals(0, dead.calls.get());
        assertEquals(Map.of("questions (deduplicated)", 2, "with tests", 2, "any passing", 2, "kept (deduplicated, decontaminated)", 2), report.get("funnel"));
        assertEquals(1, ((Map<?, ?>) report.get("curation")).get("duplicate_questions"));
    }

    @Test
    void aTeacherThatAnswersNothingIsAnErrorWithItsReason() {
        Scripted dead = new Scripted("dead", u -> { throw new CodellmException("connection refused (simulated)"); });
        CodellmException e = assertThrows(CodellmException.class,
                () -> new SelfInstructPipeline(config(), null).run(dead, dead, judge, null, tmp.resolve("o")));
        assertTrue(e.getMessage().startsWith("the teacher answered none of the 2 questions requests asked")
                && e.getMessage().contains("connection refused (simulated)"), e.getMessage());
        assertTrue(Files.exists(tmp.resolve("o/report.json")));
    }

    @Test
    void questionsAndTestsAreParsedFromListsAndFences() {
        assertEquals(List.of("Write a function that reverses a list of numbers in place.", "Write a function that counts vowels in a given string."),
                SelfInstructPrompt.parseQuestions("Sure!\n1. Write a function that reverses a list of numbers in place.\n2) Write a function that counts vowels in a given string.\n3. Too short."));
        SelfInstructPrompt.Tests t = SelfInstructPrompt.parseTests("Signature: def f(x: int) -> int:\n```python\nassert f(1) == 2\nassert g(1) == 1\nassert f(\n    2) == 3\n```");
        assertEquals("f", t.entryPoint());
        assertEquals(List.of("assert f(1) == 2", "assert f(\n    2) == 3"), t.asserts());
        assertNull(SelfInstructPrompt.parseTests("no signature here\nassert f(1) == 2"));
    }
}
