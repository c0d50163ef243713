package dev.codellm.server;

import java.time.Duration;

/** Queues a plan's jobs and gathers their events into per-choice results (non-streaming answers). */
final class GenerationRunner {
    private final InferenceService service;
    private final Duration timeout;

    GenerationRunner(InferenceService service, Duration timeout) {
        this.service = service;
        this.timeout = timeout;
    }

    /** One job per (prompt, choice), in OpenAI's choice order: index = prompt * n + choice. */
    JobGroup submit(GenerationPlan plan) {
        JobGroup group = new JobGroup(service, System.nanoTime() + timeout.toNanos());
        group.samePromptEvery(plan.n());
        for (GenerationPlan.PromptEntry entry : plan.prompts()) {
            for (int j = 0; j < plan.n(); j++) group.add(entry.request().withSampling(plan.samplingFor(j)), entry.plan(), plan.topLogprobs());
        }
        return group;
    }

    /**
     * Waits for every choice of a non-streaming answer to end; a failed choice cancels the others
     * and its error is thrown. Returns null when the client left meanwhile ({@code watch} saw it and
     * cancelled the group): there is nobody to answer, and the request is counted with nginx's
     * status 499 "client closed request".
     */
    static ChoiceResult[] collect(JobGroup group, ClientWatch watch, io.javalin.http.Context ctx) throws InterruptedException {
        ChoiceResult[] results = collect(group);
        if (watch == null || !watch.clientGone()) return results;
        ctx.status(CLIENT_CLOSED_REQUEST);
        return null;
    }

    /** nginx's non-standard status for a request whose client disconnected before the answer. */
    static final int CLIENT_CLOSED_REQUEST = 499;

    /** Waits for every choice to end; a failed choice cancels the others and its error is thrown. */
    static ChoiceResult[] collect(JobGroup group) throws InterruptedException {
        ChoiceResult[] results = new ChoiceResult[group.size()];
        for (int i = 0; i < results.length; i++) results[i] = new ChoiceResult();
        while (!group.done()) {
            switch (group.next()) {
                case JobGroup.Token t -> {
                    results[t.choice()].text.append(t.text());
                    if (t.logprob() != null) results[t.choice()].logprobs.add(t.logprob());
                }
                case JobGroup.Finished f -> {
                    ChoiceResult r = results[f.choice()];
                    r.finishReason = f.reason();
                    r.promptTokens = f.promptTokens();
                    r.completionTokens = f.completionTokens();
                }
                case JobGroup.Failed f -> {
                    group.cancelAll();
                    throw f.error();
                }
            }
        }
        return results;
    }

    /** Usage: each prompt counted once (not once per choice), completions summed over all choices. */
    static int[] usage(int[] promptTokensPerChoice, int[] completionTokensPerChoice, int n) {
        int prompt = 0, completion = 0;
        for (int i = 0; i < promptTokensPerChoice.length; i++) {
            if (i % n == 0) prompt += promptTokensPerChoice[i];
            completion += completionTokensPerChoice[i];
        }
        return new int[] {prompt, completion};
    }

    static int[] usage(ChoiceResult[] results, int n) {
        int[] p = new int[results.length], c = new int[results.length];
        for (int i = 0; i < results.length; i++) {
            p[i] = results[i].promptTokens;
            c[i] = results[i].completionTokens;
        }
        return usage(p, c, n);
    }
}
