package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.Generator;
import dev.codellm.core.Progress;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.WorkPool;
import dev.codellm.core.io.Jsonl;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks the teacher for every seed not answered yet: {@code concurrency} requests in flight, at
 * most {@code requestsPerMinute} started per minute, failed calls retried with exponential
 * backoff. Each answer is appended to {@code responses.jsonl} as one line and flushed at once,
 * so killing the process (even kill -9) loses no answer already received; a rerun reads the
 * file, skips the seeds it holds (a torn last line is cut off and re-asked) and asks the rest.
 * Seeds that still fail are counted with their reason and asked again by the next run.
 */
public final class TeacherRun {
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    public record Options(int concurrency, double requestsPerMinute, int maxRetries, Duration initialBackoff,
                          SamplingParams sampling) {
        public static Options defaults() {
            return new Options(4, 0, 3, Duration.ofSeconds(2), SamplingParams.GREEDY.withMaxTokens(1024));
        }
    }

    /** Figures of one run; tokens count only this run's answers. */
    public record Stats(int seeds, int alreadyDone, int answered, int failed, int tornLines,
                        long promptTokens, long completionTokens, Map<String, Integer> failures) {}

    private final Generator teacher;
    private final Options options;
    private final PrintStream progressOut;

    public TeacherRun(Generator teacher, Options options, PrintStream progressOut) {
        this.teacher = teacher;
        this.options = options;
        this.progressOut = progressOut;
    }

    public Stats run(List<Seed> seeds, Path responses) throws IOException {
        int[] torn = {0};
        Set<String> done = answeredIds(responses, torn);
        List<Seed> todo = seeds.stream().filter(s -> !done.contains(s.id())).toList();
        AtomicLong promptTokens = new AtomicLong(), completionTokens = new AtomicLong();
        Map<String, Integer> failures = new TreeMap<>();
        RateLimiter limiter = new RateLimiter(options.requestsPerMinute());
        Progress progress = progressOut == null || todo.isEmpty() ? null
                : new Progress("oss-instruct teacher", todo.size(), progressOut, 2000);
        List<WorkPool.Outcome<String>> outcomes;
        try (Jsonl.Appender w = new Jsonl.Appender(responses)) {
            List<Callable<String>> calls = new ArrayList<>();
            for (Seed s : todo) {
                calls.add(() -> {
                    Completion c = askWithRetries(s, limiter);
                    ObjectNode rec = JSON.createObjectNode();
                    rec.put("seed_id", s.id());
                    rec.put("lang", s.lang());
                    rec.put("model", teacher.info().name());
                    rec.put("response", c.text());
                    rec.put("finish_reason", c.finishReason().openAiName());
                    rec.put("prompt_tokens", c.usage().promptTokens());
                    rec.put("completion_tokens", c.usage().completionTokens());
                    w.append(rec);
                    promptTokens.addAndGet(c.usage().promptTokens());
                    completionTokens.addAndGet(c.usage().completionTokens());
                    return s.id();
                });
            }
            outcomes = WorkPool.runEach("teacher", calls, options.concurrency(), progress);
        }
        int answered = 0;
        for (WorkPool.Outcome<String> o : outcomes) {
            if (o.ok()) answered++;
            else failures.merge(reason(o.error()), 1, Integer::sum);
        }
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        return new Stats(seeds.size(), seeds.size() - todo.size(), answered, failed, torn[0],
                promptTokens.get(), completionTokens.get(), failures);
    }

    private Completion askWithRetries(Seed s, RateLimiter limiter) throws InterruptedException {
        ChatRequest req = new ChatRequest(List.of(ChatMessage.system(OssInstructPrompt.SYSTEM),
                ChatMessage.user(OssInstructPrompt.user(s))), options.sampling());
        long backoff = options.initialBackoff().toMillis();
        for (int attempt = 0; ; attempt++) {
            limiter.acquire();
            try {
                Completion c = teacher.chat(req, TokenSink.NONE);
                if (c == null || c.text() == null) throw new CodellmException("teacher returned no text");
                return c;
            } catch (RuntimeException e) {
                if (attempt >= options.maxRetries()) throw e;
                long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
                Thread.sleep(jittered);
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
    }

    static String reason(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 160 ? m.substring(0, 160) + "..." : m;
    }

    /**
     * Seed ids already answered, read under the one torn-line policy ({@link Jsonl#readTolerant}):
     * a torn last line (a kill mid-write) is cut off and counted, and its seed is asked again.
     */
    static Set<String> answeredIds(Path responses, int[] torn) {
        Set<String> done = new HashSet<>();
        Jsonl.Tolerant read = Jsonl.readTolerant(responses);
        if (read.tornLineDropped()) torn[0]++;
        for (Jsonl.Line l : read.lines()) {
            JsonNode n = l.json();
            if (n.hasNonNull("seed_id") && n.hasNonNull("response")) done.add(n.get("seed_id").asText());
            else torn[0]++;
        }
        return done;
    }
}
