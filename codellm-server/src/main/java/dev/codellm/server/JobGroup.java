package dev.codellm.server;

import dev.codellm.core.FinishReason;
import dev.codellm.core.GenerationRequest;
import dev.codellm.model.generate.PlannedPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The jobs of one HTTP request (n choices × prompts) and their events merged into one queue,
 * which the request's own (virtual) thread drains while the scheduler thread fills it.
 */
final class JobGroup {
    sealed interface Event { int choice(); }
    record Token(int choice, String text, TokenLogprob logprob) implements Event {}
    record Finished(int choice, FinishReason reason, int promptTokens, int completionTokens) implements Event {}
    record Failed(int choice, RuntimeException error) implements Event {}

    private final InferenceService service;
    private final long deadlineNanos;
    private final List<Job> jobs = new ArrayList<>();
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private int open;
    private final long createdNanos = System.nanoTime();
    private long firstTokenNanos, lastEndNanos;
    private int samePromptEvery = 1;
    private volatile int promptTokens, completionTokens;

    JobGroup(InferenceService service, long deadlineNanos) {
        this.service = service;
        this.deadlineNanos = deadlineNanos;
    }

    /** Queues one choice; if the service refuses it, everything already queued is cancelled. */
    void add(GenerationRequest request, PlannedPrompt plan, int topLogprobs) {
        int choice = jobs.size();
        Job job = new Job(request, plan, topLogprobs, deadlineNanos, new JobListener() {
            @Override public void onToken(String text, TokenLogprob lp) { events.add(new Token(choice, text, lp)); }
            @Override public void onFinish(FinishReason r, int p, int c) { events.add(new Finished(choice, r, p, c)); }
            @Override public void onError(RuntimeException e) { events.add(new Failed(choice, e)); }
        });
        try {
            service.submit(job);
        } catch (RuntimeException e) {
            cancelAll();
            throw e;
        }
        jobs.add(job);
        open++;
    }

    int size() { return jobs.size(); }

    /** Tokens drafted for this request's choices by prompt-lookup decoding (llama-server's draft_n). */
    int drafted() { return jobs.stream().mapToInt(Job::drafted).sum(); }

    /** Drafted tokens kept (llama-server's draft_n_accepted). */
    int draftsAccepted() { return jobs.stream().mapToInt(Job::draftsAccepted).sum(); }

    /** Choices come in runs of {@code n} with the same prompt ({@link GenerationRunner#submit}): usage counts each prompt once. */
    void samePromptEvery(int n) { samePromptEvery = Math.max(1, n); }

    /** Tokens of the prompts of the choices finished so far (for the request log). */
    int promptTokens() { return promptTokens; }

    int completionTokens() { return completionTokens; }

    /** Whether any choice's context was cut or ran out ({@link Job#truncated()}). */
    boolean truncated() {
        for (Job j : jobs) if (j.truncated()) return true;
        return false;
    }

    boolean done() { return open == 0; }

    /**
     * The next event, blocking. Jobs end themselves at their deadline; the extra minute only
     * guards against a stuck model, after which the request fails instead of hanging forever.
     */
    Event next() throws InterruptedException {
        long waitNanos = Math.max(0, deadlineNanos - System.nanoTime()) + TimeUnit.SECONDS.toNanos(60);
        Event e = events.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (e == null) {
            cancelAll();
            throw new ApiError(500, "server_error", "The model did not answer in time.", null, "timeout", null);
        }
        long now = System.nanoTime();
        if (e instanceof Token && firstTokenNanos == 0) firstTokenNanos = now;
        if (!(e instanceof Token)) {
            open--;
            lastEndNanos = now;
        }
        if (e instanceof Finished f) {
            if (f.choice() % samePromptEvery == 0) promptTokens += f.promptTokens(); // n choices share one prompt
            completionTokens += f.completionTokens();
        }
        return e;
    }

    /**
     * Wall-clock phases as the client sees them, for llama.cpp's {@code timings} and ollama's
     * durations: from queueing to the first token (queue wait + prompt processing), and from the
     * first token to the last choice's end (generation).
     */
    long promptNanos() { return (firstTokenNanos == 0 ? lastEndNanos : firstTokenNanos) - createdNanos; }

    long generationNanos() { return firstTokenNanos == 0 ? 0 : Math.max(0, lastEndNanos - firstTokenNanos); }

    long totalNanos() { return lastEndNanos - createdNanos; }

    void cancelAll() {
        jobs.forEach(Job::cancel);
    }
}
