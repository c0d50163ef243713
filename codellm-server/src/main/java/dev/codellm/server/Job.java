package dev.codellm.server;

import dev.codellm.core.GenerationRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.PlannedPrompt;

/**
 * One generation to run: the request (core's record, with this choice's sampling), its plan on
 * the engine, where to send events, and when to give up. {@link #cancel()} may be called from any
 * thread (client gone, shutdown); the scheduler ends the job at its next step.
 */
public final class Job {
    private final GenerationRequest request;
    private final PlannedPrompt plan;
    private final int topLogprobs;
    private final long deadlineNanos;
    private final JobListener listener;
    private volatile boolean cancelled;
    private volatile boolean contextTruncated;

    /**
     * @param plan        the request planned by the model module, or null when the backend plans itself
     * @param topLogprobs -1 for no logprobs, else how many alternatives to report per token
     */
    public Job(GenerationRequest request, PlannedPrompt plan, int topLogprobs, long deadlineNanos, JobListener listener) {
        this.request = request;
        this.plan = plan;
        this.topLogprobs = topLogprobs;
        this.deadlineNanos = deadlineNanos;
        this.listener = listener;
    }

    public GenerationRequest request() { return request; }
    public PlannedPrompt plan() { return plan; }
    /** The prompt's token ids, or null when the backend tokenizes itself. */
    public int[] promptTokens() { return plan == null ? null : plan.promptIds(); }
    public SamplingParams sampling() { return request.sampling(); }
    public int topLogprobs() { return topLogprobs; }
    public JobListener listener() { return listener; }

    /** The context ran out: the generation shifted it, or ended at its end (llama-server's {@code truncated}). */
    public void markTruncated() { contextTruncated = true; }

    /** llama-server's {@code truncated}: the prompt was cut, or the context shifted or ran out while generating. */
    public boolean truncated() { return contextTruncated || (plan != null && plan.truncated()); }

    private volatile int drafted, draftsAccepted;

    /** Prompt-lookup decoding drafted {@code n} tokens for this job, of which {@code accepted} were kept. */
    public void drafts(int n, int accepted) {
        drafted += n;
        draftsAccepted += accepted;
    }

    /** llama-server's {@code draft_n}: tokens drafted for this job. */
    public int drafted() { return drafted; }

    /** llama-server's {@code draft_n_accepted}: drafted tokens kept. */
    public int draftsAccepted() { return draftsAccepted; }

    public void cancel() { cancelled = true; }
    public boolean isCancelled() { return cancelled; }
    public boolean isExpired(long nowNanos) { return nowNanos - deadlineNanos > 0; }
}
