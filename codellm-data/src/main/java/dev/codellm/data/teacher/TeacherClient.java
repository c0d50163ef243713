package dev.codellm.data.teacher;

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
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one teacher client of the data jobs (OSS-Instruct, Evol-Instruct, self-instruct): any
 * {@link Generator} (an endpoint or the local engine) asked through chat with {@code concurrency}
 * requests in flight, at most {@code requestsPerMinute} started per minute, failed calls retried
 * with exponential backoff and jitter, and tokens counted. A request the teacher rejects
 * ({@link BadRequestException}: a 4xx such as an unknown model or a bad key) is not repeated: the
 * same request gets the same answer. When the first {@value #REJECTIONS_BEFORE_STOP} outcomes
 * are all rejections, no other request is made: the teacher refuses requests as such, and every
 * job not yet asked fails with that reason. Thread-safe.
 */
public final class TeacherClient {
    /** Rejected requests (the request's fault, e.g. an unknown model) before any answer that stop the whole job. */
    public static final int REJECTIONS_BEFORE_STOP = 3;

    public record Options(int concurrency, double requestsPerMinute, int maxRetries, Duration initialBackoff, SamplingParams sampling) {
        public static Options defaults() {
            return new Options(4, 0, 3, Duration.ofSeconds(2), SamplingParams.GREEDY.withMaxTokens(1024));
        }

        public Options withSampling(SamplingParams s) {
            return new Options(concurrency, requestsPerMinute, maxRetries, initialBackoff, s);
        }
    }

    private final Generator teacher;
    private final Options options;
    private final RateLimiter limiter;
    private final AtomicLong promptTokens = new AtomicLong(), completionTokens = new AtomicLong(), requests = new AtomicLong();
    private int rejections;
    private boolean answered;
    private BadRequestException firstRejection;

    public TeacherClient(Generator teacher, Options options) {
        this.teacher = teacher;
        this.options = options;
        this.limiter = new RateLimiter(options.requestsPerMinute());
    }

    public String model() { return teacher.info().name(); }

    public Options options() { return options; }

    public long promptTokens() { return promptTokens.get(); }

    public long completionTokens() { return completionTokens.get(); }

    /** Requests sent (every attempt counts). */
    public long requests() { return requests.get(); }

    /** One chat answer with the client's sampling. */
    public Completion chat(List<ChatMessage> messages) throws InterruptedException {
        return chat(messages, options.sampling());
    }

    /** One chat answer, retried as the class comment says; a {@link CodellmException} when it cannot be had. */
    public Completion chat(List<ChatMessage> messages, SamplingParams sampling) throws InterruptedException {
        synchronized (this) {
            if (!answered && rejections >= REJECTIONS_BEFORE_STOP) {
                throw new BadRequestException(firstRejection.getMessage(), firstRejection.param());  // not asked: the rejections' reason
            }
        }
        ChatRequest req = new ChatRequest(messages, sampling);
        long backoff = options.initialBackoff().toMillis();
        for (int attempt = 0; ; attempt++) {
            limiter.acquire();
            try {
                requests.incrementAndGet();
                Completion c = teacher.chat(req, TokenSink.NONE);
                if (c == null || c.text() == null) throw new CodellmException("teacher returned no text");
                promptTokens.addAndGet(c.usage().promptTokens());
                completionTokens.addAndGet(c.usage().completionTokens());
                synchronized (this) {
                    answered = true;
                }
                return c;
            } catch (BadRequestException e) {
                synchronized (this) {
                    if (firstRejection == null) firstRejection = e;
                    rejections++;
                }
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= options.maxRetries()) throw e;
                long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
                Thread.sleep(jittered);
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
    }

    /**
     * Runs every job on {@code concurrency} threads, whatever the others do, with a progress line
     * on {@code progressOut} (none when null); each job's value or failure in job order.
     */
    public <T> List<WorkPool.Outcome<T>> runEach(String label, List<? extends Callable<T>> jobs, PrintStream progressOut) {
        Progress progress = progressOut == null || jobs.isEmpty() ? null : new Progress(label, jobs.size(), progressOut, 2000);
        return WorkPool.runEach(label, jobs, options.concurrency(), progress);
    }

    /** Failure reasons of outcomes (one line each, shortened), with their counts. */
    public static Map<String, Integer> failures(List<? extends WorkPool.Outcome<?>> outcomes) {
        Map<String, Integer> f = new TreeMap<>();
        for (WorkPool.Outcome<?> o : outcomes) if (!o.ok()) f.merge(reason(o.error()), 1, Integer::sum);
        return f;
    }

    public static String reason(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 160 ? m.substring(0, 160) + "..." : m;
    }

    /**
     * The error of a job in which the teacher answered none of the {@code asked} requests: the most
     * frequent failure (the teacher's own message), so the job exits non-zero with it.
     *
     * @param what what was asked, e.g. {@code seeds}
     */
    public static CodellmException nothingAnswered(int asked, String what, Map<String, Integer> failures, Path report) {
        String top = failures.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        return new CodellmException("the teacher answered none of the " + asked + " " + what + " asked (" + failed + " failed; "
                + failures.getOrDefault(top, 0) + "x: " + top + "); report: " + report);
    }
}
