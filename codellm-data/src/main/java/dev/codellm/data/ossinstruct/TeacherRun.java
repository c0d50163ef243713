package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.BadRequestException;
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
 *
 * <p>A request the teacher rejects ({@link BadRequestException}: a 4xx such as an unknown model
 * or a bad key) is not repeated: the same request gets the same answer. When the first
 * {@value #REJECTIONS_BEFORE_STOP} outcomes of a run are all rejections, no other seed is asked:
 * the teacher refuses requests as such, and every seed is counted as failed with that reason.
 */
public final class TeacherRun {
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;
    /** Rejected requests (the request's fault, e.g. an unknown model) before any answer that stop the whole job. */
    public static final int REJECTIONS_BEFORE_STOP = 3;

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
        Breaker breaker = new Breaker();
        Progress progress = progressOut == null || todo.isEmpty() ? null
                : new Progress("oss-instruct teacher", todo.size(), progressOut, 2000);
        List<WorkPool.Outcome<String>> outcomes;
        try (Jsonl.Appender w = new Jsonl.Appender(responses)) {
            List<Callable<String>> calls = new ArrayList<>();
            for (Seed s : todo) {
                calls.add(() -> {
                    Completion c = breaker.call(() -> askWithRetries(s, limiter));
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
                if (e instanceof BadRequestException || attempt >= options.maxRetries()) throw e;
                long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
                Thread.sleep(jittered);
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
    }

    /** Counts rejections until the first answer; after {@value #REJECTIONS_BEFORE_STOP} of them no call is made. */
    private static final class Breaker {
        private int rejections;
        private boolean answered;
        private BadRequestException first;

        interface Call {
            Completion run() throws InterruptedException;
        }

        Completion call(Call c) throws InterruptedException {
            synchronized (this) {
                if (!answered && rejections >= REJECTIONS_BEFORE_STOP) {
                    throw new BadRequestException(first.getMessage(), first.param());  // not asked: counted with the rejections' reason
                }
            }
            try {
                Completion done = c.run();
                synchronized (this) {
                    answered = true;
                }
                return done;
            } catch (BadRequestException e) {
                synchronized (this) {
                    if (first == null) first = e;
                    rejections++;
                }
                throw e;
            }
        }
    }

    /**
     * The error of a run in which the teacher answered nothing although seeds were asked: the
     * most frequent failure (the teacher's own message), so the job can exit non-zero with it.
     */
    public static CodellmException nothingAnswered(Stats t, Path report) {
        String top = t.failures().entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
        return new CodellmException("the teacher answered none of the " + (t.seeds() - t.alreadyDone()) + " seeds asked ("
                + t.failed() + " failed; " + t.failures().getOrDefault(top, 0) + "x: " + top + "); report: " + report);
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
