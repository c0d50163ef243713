package dev.codellm.data.ossinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.core.openai.OpenAiConfig;
import dev.codellm.core.openai.OpenAiGenerator;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OSS-Instruct end to end on real Python stdlib seeds with a deterministic fake teacher and a stub HTTP endpoint. */
class OssInstructPipelineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static RecordDecontaminator decon;
    static String humanEvalSolution;
    @TempDir Path tmp;

    @BeforeAll
    static void setUp() throws IOException {
        decon = DecontamConfig.defaults("openai50").build(dev.codellm.core.benchmark.BenchmarkFiles.standard());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(SharedData.require("datasets/humaneval/HumanEval.jsonl.gz"))), StandardCharsets.UTF_8))) {
            JsonNode t = JSON.readTree(r.lines().skip(10).findFirst().orElseThrow());
            humanEvalSolution = t.get("prompt").asText() + t.get("canonical_solution").asText();
        }
    }

    Path corpus() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        for (String f : List.of("textwrap.py", "bisect.py", "heapq.py", "fnmatch.py", "colorsys.py", "shlex.py")) {
            Files.copy(Path.of("/usr/lib/python3.11", f), dir.resolve(f));
        }
        return dir;
    }

    /**
     * Answers keyed on the seed: most are good (distinct python functions), and by the seed's
     * hash some are malformed, some do not parse, one is a near-copy of another, one carries a
     * HumanEval solution.
     */
    static String answer(String snippet) {
        int h = Math.floorMod(snippet.hashCode(), 10);
        String fn = "f" + Integer.toHexString(snippet.hashCode() & 0xfffffff);
        String problem = "Write a function " + fn + " that counts how many lines of the given text start with "
                + "the letter " + (char) ('a' + Math.floorMod(snippet.hashCode(), 26)) + " and returns the count.";
        String good = "def " + fn + "(text):\n    return sum(1 for l in text.splitlines() if l.startswith('" + fn + "'))\n";
        return switch (h) {
            case 0 -> "I cannot help with that.";
            case 1 -> "[Problem Description]\n" + problem + "\n\n[Solution]\n```python\ndef " + fn + "(text:\n    return 1\n```\n";
            case 2 -> "[Problem Description]\n" + problem + "\n\n[Solution]\n```python\n" + humanEvalSolution + "\n```\n";
            case 3 -> "[Problem Description]\nWrite a function that counts lines in a text that start with a given letter, and return that count.\n\n"
                    + "[Solution]\n```python\ndef count_lines(text, letter):\n    return sum(1 for l in text.splitlines() if l.startswith(letter))\n```\n";
            default -> "[Problem Description]\n" + problem + "\n\n[Solution]\n```python\n" + good + "```\n";
        };
    }

    OssInstructPipeline.Config config(Path corpus, int n) {
        return new OssInstructPipeline.Config(corpus, n, 3,
                new dev.codellm.data.teacher.TeacherClient.Options(3, 0, 2, Duration.ofMillis(5), dev.codellm.core.SamplingParams.GREEDY),
                Curator.Options.defaults(), List.of(Exports.Format.values()), 1.0, 2.0);
    }

    @Test
    void endToEndWithFakeTeacherRetriesFiltersDedupsDecontaminatesAndExports() throws IOException {
        Path out = tmp.resolve("out");
        FakeTeacher teacher = new FakeTeacher(OssInstructPipelineTest::answer, true);
        Map<String, Object> report = new OssInstructPipeline(config(corpus(), 40), null).run(teacher, decon, out);

        List<String> seeds = Files.readAllLines(out.resolve("seeds.jsonl"));
        assertEquals(40, seeds.size());
        assertEquals(40, Files.readAllLines(out.resolve("responses.jsonl")).size());
        assertEquals(80, teacher.total.get(), "each seed failed once (simulated 503) and was retried");

        // Every answer is either kept or rejected with a reason: none lost.
        List<String> data = Files.readAllLines(out.resolve("data.jsonl"));
        List<String> rejected = Files.readAllLines(out.resolve("rejected.jsonl"));
        assertEquals(40, data.size() + rejected.size());
        int[] expect = new int[10];
        for (String s : seeds) expect[Math.floorMod(JSON.readTree(s).get("code").asText().stripTrailing().hashCode(), 10)]++;
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        for (String r : rejected) reasons.merge(JSON.readTree(r).get("reason").asText(), 1, Integer::sum);
        assertEquals(expect[0], reasons.getOrDefault("missing [Problem Description]", 0));
        assertEquals(expect[1], reasons.getOrDefault("python solution does not parse", 0));
        assertEquals(expect[2], reasons.getOrDefault("contaminated", 0));
        assertEquals(Math.max(0, expect[3] - 1), reasons.getOrDefault("exact duplicate", 0));
        for (String d : data) {
            JsonNode r = JSON.readTree(d);
            assertTrue(r.get("problem").asText().startsWith("Write a function"));
            assertTrue(r.get("solution").asText().contains("```python"));
        }
        for (Exports.Format f : Exports.Format.values()) {
            Path file = out.resolve(f.fileName());
            assertEquals(data.size(), Files.readAllLines(file).size());
            assertEquals(List.of(), Exports.validate(file, f));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> tokens = (Map<String, Object>) report.get("tokens");
        assertEquals(40L, tokens.get("answers"));
        assertTrue((Long) tokens.get("prompt_tokens") > 0 && (Double) tokens.get("cost_usd") > 0);
    }

    @Test
    void resumeAfterKillAsksOnlyWhatIsMissing() throws IOException {
        Path out = tmp.resolve("out");
        Path corpus = corpus();
        // First run "dies" after 12 answers: the teacher throws from then on (no retries left).
        AtomicInteger served = new AtomicInteger();
        FakeTeacher dying = new FakeTeacher(s -> {
            if (served.incrementAndGet() > 12) throw new CodellmException("connection refused (simulated crash)");
            return answer(s);
        }, false);
        new OssInstructPipeline(config(corpus, 30), null).run(dying, decon, out);
        List<String> first = Files.readAllLines(out.resolve("responses.jsonl"));
        assertEquals(12, first.size());
        // A kill -9 in the middle of a write leaves a torn last line.
        Files.writeString(out.resolve("responses.jsonl"), "{\"seed_id\":\"seed-0000", StandardOpenOption.APPEND);

        FakeTeacher healthy = new FakeTeacher(OssInstructPipelineTest::answer, false);
        Map<String, Object> report = new OssInstructPipeline(config(null, 30), null).run(healthy, decon, out);
        assertEquals(18, healthy.total.get(), "only the 18 unanswered seeds are asked again");
        List<String> lines = Files.readAllLines(out.resolve("responses.jsonl"));
        assertEquals(first, lines.subList(0, 12), "answers already received are kept as they were");
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) report.get("teacher");
        assertEquals(12, t.get("already_answered"));
        assertEquals(1, t.get("torn_lines_ignored"));
        List<String> ids = new ArrayList<>();
        for (String l : lines) {
            try {
                ids.add(JSON.readTree(l).get("seed_id").asText());
            } catch (IOException ignored) {
                // the torn line
            }
        }
        assertEquals(30, ids.stream().distinct().count());
    }

    /**
     * Issue 21: a teacher that rejects every request (400 model_not_found) gave exit 0 after each
     * seed's rejection was retried with backoff. A rejection is the request's fault: it is not
     * repeated, a run of rejections before any answer stops the job, and a job that got no
     * answer fails with the teacher's error (its report still written).
     */
    @Test
    void aTeacherThatRejectsEveryRequestStopsTheJobWithItsError() throws IOException {
        Path out = tmp.resolve("out");
        AtomicInteger calls = new AtomicInteger();
        FakeTeacher rejecting = new FakeTeacher(s -> {
            calls.incrementAndGet();
            throw new dev.codellm.core.BadRequestException("endpoint http://t/v1/chat/completions rejected the request: HTTP 400: "
                    + "The model `gpt-nope` does not exist", "model");
        }, false);
        dev.codellm.data.teacher.TeacherClient.Options slow = new dev.codellm.data.teacher.TeacherClient.Options(1, 0, 3, Duration.ofSeconds(2), dev.codellm.core.SamplingParams.GREEDY);
        OssInstructPipeline.Config cfg = new OssInstructPipeline.Config(corpus(), 30, 3, slow, Curator.Options.defaults(),
                List.of(Exports.Format.MESSAGES), 0, 0);
        long t0 = System.nanoTime();
        CodellmException e = org.junit.jupiter.api.Assertions.assertThrows(CodellmException.class,
                () -> new OssInstructPipeline(cfg, null).run(rejecting, decon, out));
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "no backoff on a rejection");
        assertTrue(e.getMessage().contains("none of the 30 seeds") && e.getMessage().contains("The model `gpt-nope` does not exist"), e.getMessage());
        assertTrue(calls.get() <= dev.codellm.data.teacher.TeacherClient.REJECTIONS_BEFORE_STOP, "stopped after the first rejections, asked " + calls.get());
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(0, report.path("teacher").path("answered_now").asInt());
        assertEquals(30, report.path("teacher").path("failed_now").asInt(), "every seed is counted: asked and rejected, or not asked");
    }

    @Test
    void stubHttpEndpointThroughOpenAiGenerator() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = requests.incrementAndGet();
            byte[] resp;
            int status;
            if (n == 2) { // one transient server error: the client retries
                status = 500;
                resp = "{\"error\":{\"message\":\"overloaded\"}}".getBytes(StandardCharsets.UTF_8);
            } else {
                JsonNode req = JSON.readTree(body);
                JsonNode msgs = req.get("messages");
                String user = msgs.get(msgs.size() - 1).get("content").asText();
                var root = JSON.createObjectNode();
                root.put("id", "x").put("object", "chat.completion").put("model", req.get("model").asText());
                var choice = root.putArray("choices").addObject();
                choice.put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", answer(FakeTeacher.snippet(user)));
                root.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 50).put("total_tokens", 150);
                status = 200;
                resp = JSON.writeValueAsBytes(root);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, resp.length);
            ex.getResponseBody().write(resp);
            ex.close();
        });
        server.start();
        try {
            Path out = tmp.resolve("out");
            OpenAiConfig cfg = OpenAiConfig.of("http://127.0.0.1:" + server.getAddress().getPort(), "stub-teacher")
                    .withApiKey("test-key").withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50));
            try (OpenAiGenerator teacher = new OpenAiGenerator(cfg)) {
                Map<String, Object> report = new OssInstructPipeline(config(corpus(), 8), null).run(teacher, decon, out);
                @SuppressWarnings("unchecked")
                Map<String, Object> tokens = (Map<String, Object>) report.get("tokens");
                assertEquals(8L, tokens.get("answers"));
                assertEquals(800L, tokens.get("prompt_tokens"));
                assertEquals(400L, tokens.get("completion_tokens"));
            }
            assertEquals(9, requests.get(), "8 seeds + 1 retried server error");
            for (String l : Files.readAllLines(out.resolve("responses.jsonl"))) {
                assertEquals("stub-teacher", JSON.readTree(l).get("model").asText());
            }
        } finally {
            server.stop(0);
        }
    }
}
