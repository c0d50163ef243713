package dev.codellm.server;

import dev.codellm.core.SamplingParams;

/**
 * One generation to run: a prompt, how to sample, where to send events, and when to give up.
 * {@link #cancel()} may be called from any thread (client gone, shutdown); the scheduler ends the
 * job at its next step.
 */
public final class Job {
    private final Prompt prompt;
    private final int[] promptTokens;
    private final SamplingParams sampling;
    private final int topLogprobs;
    private final long deadlineNanos;
    private final JobListener listener;
    private volatile boolean cancelled;

    /**
     * @param promptTokens the tokenized prompt, or null when the backend tokenizes itself
     * @param topLogprobs  -1 for no logprobs, else how many alternatives to report per token
     */
    public Job(Prompt prompt, int[] promptTokens, SamplingParams sampling, int topLogprobs, long deadlineNanos, JobListener listener) {
        this.prompt = prompt;
        this.promptTokens = promptTokens;
        this.sampling = sampling;
        this.topLogprobs = topLogprobs;
        this.deadlineNanos = deadlineNanos;
        this.listener = listener;
    }

    public Prompt prompt() { return prompt; }
    public int[] promptTokens() { return promptTokens; }
    public SamplingParams sampling() { return sampling; }
    public int topLogprobs() { return topLogprobs; }
    public JobListener listener() { return listener; }

    public void cancel() { cancelled = true; }
    public boolean isCancelled() { return cancelled; }
    public boolean isExpired(long nowNanos) { return nowNanos - deadlineNanos > 0; }
}
