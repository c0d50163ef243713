package dev.codellm.server;

import dev.codellm.core.BadRequestException;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.TokenSink;
import dev.codellm.model.generate.RequestPlanner;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves any {@link Generator} (e.g. the generation helper's {@code LocalGenerator}, or a remote
 * OpenAI client) one request at a time from a bounded queue. No batching, no tokenizer (so no
 * /tokenize and no logprobs); prompt-length checks are left to the generator.
 */
public final class GeneratorService implements InferenceService {
    private final Generator generator;
    private final BlockingQueue<Job> queue;
    private final Metrics metrics;
    private final AtomicInteger busy = new AtomicInteger();
    private final Thread worker;
    private volatile boolean accepting = true;
    private volatile boolean stopped;

    public GeneratorService(Generator generator, int queueCapacity, Metrics metrics) {
        this.generator = generator;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.metrics = metrics;
        this.worker = Thread.ofPlatform().name("codellm-generator").daemon(true).start(this::loop);
    }

    @Override public ModelInfo info() { return generator.info(); }
    @Override public BatchBackend tokenizer() { return null; }
    @Override public RequestPlanner planner() { return null; }
    @Override public int slots() { return 1; }
    @Override public int busySlots() { return busy.get(); }
    @Override public int queueDepth() { return queue.size(); }

    @Override
    public void submit(Job job) {
        if (!accepting) throw ApiError.overloaded("The server is shutting down.");
        if (!queue.offer(job)) throw ApiError.overloaded("The model is busy and the queue is full; retry later.");
    }

    @Override
    public void drain(Duration grace) {
        accepting = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while ((busy.get() > 0 || !queue.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopped = true;
        for (Job j; (j = queue.poll()) != null; ) j.cancel();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (!stopped || !queue.isEmpty()) {
            Job job;
            try {
                job = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) continue;
            busy.incrementAndGet();
            try {
                run(job);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    private void run(Job job) {
        if (job.isCancelled() || stopped) {
            metrics.jobFinished(FinishReason.CANCELLED, 0, 0);
            job.listener().onFinish(FinishReason.CANCELLED, 0, 0);
            return;
        }
        if (job.isExpired(System.nanoTime())) {
            metrics.jobFailed();
            job.listener().onError(ApiError.overloaded("Timed out waiting for the model."));
            return;
        }
        TokenSink sink = text -> {
            if (!text.isEmpty()) job.listener().onToken(text, null);
            return !job.isCancelled() && !stopped && !job.isExpired(System.nanoTime());
        };
        try {
            Completion c = generator.generate(job.request(), sink);
            FinishReason reason = c.finishReason() == FinishReason.CANCELLED && !job.isCancelled() ? FinishReason.LENGTH : c.finishReason();
            metrics.jobFinished(reason, c.usage().promptTokens(), c.usage().completionTokens());
            job.listener().onFinish(reason, c.usage().promptTokens(), c.usage().completionTokens());
        } catch (BadRequestException e) {
            metrics.jobFailed();
            job.listener().onError(ApiError.badRequest(e.getMessage(), e.param()));
        } catch (dev.codellm.core.ModelFaultException e) {
            metrics.jobFailed();
            job.listener().onError(e);
        } catch (CodellmException | IllegalArgumentException e) {
            metrics.jobFailed();
            job.listener().onError(ApiError.badRequest(e.getMessage(), "prompt"));
        } catch (RuntimeException e) {
            metrics.jobFailed();
            job.listener().onError(e);
        }
    }
}
