package dev.codellm.data.evol;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Json;
import dev.codellm.data.ossinstruct.Exports;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evol-Instruct end to end with a deterministic teacher: rounds, the failed-evolution filter, dedup, decontamination, resume. */
class EvolInstructPipelineTest {
    static RecordDecontaminator decon;
    static String humanEvalSolution;
    @TempDir Path tmp;

    @BeforeAll
    static void setUp() throws IOException {
        decon = DecontamConfig.defaults("openai50").build(BenchmarkFiles.standard());
        JsonNode t = Json.MAPPER.readTree(BenchmarkFiles.standard().load(dev.codellm.core.benchmark.BenchmarkRegistry.HUMANEVAL).rows().get(10).json().toString());
        humanEvalSolution = t.get("prompt").asText() + t.get("canonical_solution").asText();
    }

    /**
     * Rewrites by appending a sentence per operation; the task text decides the failures:
     * "refuse" → a refusal, "same" → the task unchanged, "echo" → our request echoed back,
     * "collide" → one fixed rewrite (so two tasks evolve into the same one);
     * answers are a small function, or a HumanEval solution for a task that says "humaneval".
     */
    static final String COLLIDED = "Write a function that returns the sum of a list of integers without collide checks, in linear time.";
    static final String COLLIDED_AGAIN = "Write a function that returns the sum of a list of integers without collide checks, in constant extra space.";

    static final class Teacher implements Generator {
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentLinkedQueue<List<ChatMessage>> requests = new ConcurrentLinkedQueue<>();
        volatile int dieAfter = Integer.MAX_VALUE;

        @Override public ModelInfo info() { return new ModelInfo("fake-teacher", 4096, false, null); }

        @Override public Completion complete(CompletionRequest r, TokenSink s) { throw new UnsupportedOperationException(); }

        @Override
        public Completion chat(ChatRequest r, TokenSink s) {
            if (calls.incrementAndGet() > dieAfter) throw new CodellmException("connection reset (simulated crash)");
            requests.add(r.messages());
            String user = r.messages().get(r.messages().size() - 1).content();
            String text;
            if (r.messages().size() == 2) {  // a rewrite request: system + user
                String task = user.substring(user.indexOf("<task>\n") + 7, user.indexOf("\n</task>"));
                String op = user.substring(user.indexOf("Method to use: ") + 15, user.indexOf("\n", user.indexOf("Method to use: ")));
                if (task.contains("collide")) text = task.equals(COLLIDED) ? COLLIDED_AGAIN : COLLIDED;
                else if (task.contains("refuse")) text = "Sorry, I cannot help with making this harder.";
                else if (task.contains("same")) text = "Rewritten task: " + task;
                else if (task.contains("echo")) text = user;
                else text = "**Rewritten Task:** " + task + " Also: " + op.substring(0, Math.min(40, op.length())) + ".";
            } else {
                String fn = "f" + Integer.toHexString(user.hashCode() & 0xffffff);
                text = user.contains("humaneval") ? "```python\n" + humanEvalSolution + "\n```\n"
                        : "Here is a solution.\n```python\ndef " + fn + "(x):\n    return x * " + (user.length() % 97) + "\n```\n";
            }
            return new Completion(text, FinishReason.STOP, new Usage(user.length() / 4, text.length() / 4));
        }
    }

    Path input() throws IOException {
        Path f = tmp.resolve("in.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lines.add(Json.line(Map.of("seed_id", "oss-" + i, "problem", "Write a function that sums the digits of number " + i
                    + " and returns the total as an integer value.", "solution", "...")));
        }
        lines.add(Json.line(Map.of("instruction", "Write code that can refuse nothing but reverses a list in place.", "input", "[1, 2, 3]", "output", "...")));
        lines.add(Json.line(Map.of("instruction", "Keep the same behaviour: write a function that returns the maximum of a list.", "output", "...")));
        lines.add(Json.line(Map.of("instruction", "Write a function, echo its argument back to the caller unchanged.", "output", "...")));
        lines.add(Json.line(Map.of("messages", List.of(Map.of("role", "user", "content", "Write humaneval-style code: a function that checks closeness of numbers."),
                Map.of("role", "assistant", "content", "...")))));
        lines.add(Json.line(Map.of("text", "no instruction here")));
        lines.add(Json.line(Map.of("problem", "Write a function that sums   the digits of number 3 and returns the total as an integer value.")));
        lines.add(Json.line(Map.of("instruction", "Write a function that adds numbers (collide A).")));
        lines.add(Json.line(Map.of("instruction", "Write a function that totals a list (collide B).")));
        Files.write(f, lines);
        return f;
    }

    EvolInstructPipeline.Config config(Path input, int rounds) {
        return new EvolInstructPipeline.Config(input, 0, rounds, 7,
                new TeacherClient.Options(3, 0, 1, Duration.ofMillis(1), SamplingParams.GREEDY), 0.8, List.of(Exports.Format.values()));
    }

    @Test
    void twoRoundsFilterFailedEvolutionsDedupDecontaminateAndExport() throws Exception {
        Path out = tmp.resolve("out");
        Teacher teacher = new Teacher();
        Map<String, Object> report = new EvolInstructPipeline(config(input(), 2), null).run(teacher, decon, out);

        assertEquals(14, Files.readAllLines(out.resolve("seeds.jsonl")).size(), "16 records, one without an instruction, one a repeat");
        assertEquals(Map.of("no instruction field", 1, "duplicate instruction", 1), ((Map<?, ?>) report.get("seeds")).get("skipped"));
        List<JsonNode> steps = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("evolutions.jsonl"))) steps.add(Json.MAPPER.readTree(l));
        Map<String, Integer> failed = new TreeMap<>();
        steps.stream().filter(s -> s.path("status").asText().equals("failed")).forEach(s -> failed.merge(s.path("reason").asText(), 1, Integer::sum));
        // Round 1: refusal, unchanged and echo fail; round 2 evolves the 11 survivors, whose text no longer fails.
        assertEquals(Map.of("refusal", 1, "unchanged", 1, "copied the request", 1), failed);
        assertEquals(14 + 11, steps.size());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rounds = (List<Map<String, Object>>) report.get("rounds");
        assertEquals(11, rounds.get(0).get("evolved"));
        assertEquals(11, rounds.get(1).get("inputs"));
        assertEquals(11, rounds.get(1).get("evolved"));
        Set<String> ops = new TreeSet<>();
        steps.forEach(s -> ops.add(s.path("operation").asText()));
        assertTrue(ops.size() >= 4, "operations are drawn at random: " + ops);
        for (JsonNode s : steps) {
            if (s.path("round").asInt() == 2) assertTrue(s.path("parent").asText().endsWith("/r1"), "round 2 evolves round 1's output");
        }
        // Each rewrite request names its operation and holds the task; answers are asked with the rewritten task alone.
        List<ChatMessage> first = teacher.requests.stream().filter(m -> m.size() == 2).findFirst().orElseThrow();
        assertTrue(first.get(1).content().contains("Method to use: ") && first.get(1).content().contains("<task>\n"), first.get(1).content());

        @SuppressWarnings("unchecked")
        Map<String, Object> cur = (Map<String, Object>) report.get("curation");
        @SuppressWarnings("unchecked")
        Map<String, Integer> rejected = (Map<String, Integer>) cur.get("rejected");
        assertEquals(22, cur.get("candidates"));
        // Two tasks evolved into one, in both rounds; the HumanEval answer is contaminated (in round 2 also a near-copy of round 1's);
        // this teacher's round-2 rewrites only add a sentence, so some are near-copies of their round-1 parent.
        assertEquals(2, rejected.get("exact duplicate"));
        assertEquals(1, rejected.get("contaminated"));
        int near = rejected.get("near duplicate (MinHash)");
        assertTrue(near >= 1, rejected.toString());
        assertEquals(Map.of("failed evolution: refusal", 1, "failed evolution: unchanged", 1, "failed evolution: copied the request", 1),
                new TreeMap<>(rejected).subMap("failed", "failed\uffff"));
        int kept = (Integer) cur.get("kept");
        assertEquals(22 - 2 - 1 - near, kept);
        List<String> data = Files.readAllLines(out.resolve("data.jsonl"));
        assertEquals(kept, data.size());
        assertTrue(data.stream().noneMatch(l -> l.contains("def make_palindrome")), "no HumanEval solution in the data");
        assertEquals(25, data.size() + Files.readAllLines(out.resolve("rejected.jsonl")).size(), "every step ends in one of the two files");
        for (Exports.Format f : Exports.Format.values()) assertEquals(List.of(), Exports.validate(out.resolve(f.fileName()), f));
        assertTrue(Files.readString(out.resolve("report.html")).contains("Funnel"));
        assertEquals(kept, Json.read(out.resolve("report.json")).path("curation").path("kept").asInt());
    }

    @Test
    void aKilledRunResumesAskingOnlyWhatIsMissingAndEndsAsAnUninterruptedOne() throws Exception {
        Path in = input();
        Path whole = tmp.resolve("whole"), resumed = tmp.resolve("resumed");
        new EvolInstructPipeline(config(in, 2), null).run(new Teacher(), decon, whole);
        Teacher dying = new Teacher();
        dying.dieAfter = 9;
        new EvolInstructPipeline(config(in, 2), null).run(dying, decon, resumed);
        int before = Files.readAllLines(resumed.resolve("evolutions.jsonl")).size();
        assertTrue(before > 0 && before < 25, "some steps done: " + before);
        Teacher healthy = new Teacher();
        new EvolInstructPipeline(config(null, 2), null).run(healthy, decon, resumed);
        int steps = Files.readAllLines(resumed.resolve("evolutions.jsonl")).size();
        assertEquals(25, steps);
        int answeredBefore = 0;
        for (String l : Files.readAllLines(resumed.resolve("evolutions.jsonl")).subList(0, before)) {
            if (Json.MAPPER.readTree(l).path("status").asText().equals("evolved")) answeredBefore++;
        }
        assertEquals(2 * 25 - 3 - 2 * answeredBefore - (before - answeredBefore), healthy.calls.get(),
                "only the missing steps are asked (two calls each, one for a failed evolution)");
        assertEquals(new TreeSet<>(Files.readAllLines(whole.resolve("data.jsonl"))), new TreeSet<>(Files.readAllLines(resumed.resolve("data.jsonl"))));
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"instruction\": \"x\"}\n{not json\n");
        CodellmException e = assertThrows(CodellmException.class, () -> new EvolInstructPipeline(config(bad, 1), null).run(new Teacher(), null, tmp.resolve("o")));
        assertTrue(e.getMessage().startsWith("instruction file " + bad + " line 2: malformed JSON"), e.getMessage());
        e = assertThrows(CodellmException.class, () -> new EvolInstructPipeline(config(null, 1), null).run(new Teacher(), null, tmp.resolve("o2")));
        assertTrue(e.getMessage().contains("give --input"), e.getMessage());
        Teacher dead = new Teacher();
        dead.dieAfter = 0;
        e = assertThrows(CodellmException.class, () -> new EvolInstructPipeline(config(input(), 1), null).run(dead, null, tmp.resolve("o3")));
        assertTrue(e.getMessage().startsWith("the teacher answered none of the 14 instructions asked") && e.getMessage().contains("simulated crash"), e.getMessage());
        assertTrue(Files.exists(tmp.resolve("o3/report.json")));
    }
}
