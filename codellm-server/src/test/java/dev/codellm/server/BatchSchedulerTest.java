package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.PlannedPrompt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchSchedulerTest {
    private BatchScheduler scheduler;

    @AfterEach
    void stop() {
        if (scheduler != null) scheduler.drain(Duration.ZERO);
    }

    /** Collects one job's events. */
    static final class Recorder implements JobListener {
        final StringBuilder text = new StringBuilder();
        final List<TokenLogprob> logprobs = new ArrayList<>();
        final CompletableFuture<FinishReason> done = new CompletableFuture<>();
        volatile int prompt, completion, tokens;

        @Override public void onToken(String t, TokenLogprob lp) {
            text.append(t);
            tokens++;
            if (lp != null) logprobs.add(lp);
        }

        @Override public void onFinish(FinishReason r, int p, int c) {
            prompt = p;
            completion = c;
            done.complete(r);
        }

        @Override public void onError(RuntimeException e) { done.completeExceptionally(e); }

        FinishReason await() throws Exception { return done.get(20, TimeUnit.SECONDS); }
    }

    /** A job running raw {@code prompt} ids, planned by {@code model}'s planner. */
    private static Job job(FakeBatchBackend model, int[] prompt, SamplingParams p, JobListener r) {
        return job(model.planner().plan(prompt), p, r);
    }

    private static Job job(PlannedPrompt plan, SamplingParams p, JobListener r) {
        return new Job(CompletionRequest.of("x", p), plan, -1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), r);
    }

    private static final SamplingParams LONG = SamplingParams.GREEDY.withMaxTokens(1000);

    @Test
    void concurrentJobsAreDecodedTogetherAndEachGetsItsOwnAnswer() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 2000, 0);
        scheduler = new BatchScheduler(model, 4, 16, new Metrics());
        List<Recorder> recs = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int[] prompt = FakeBatchBackend.bytes("prompt number " + i, true);
            Recorder r = new Recorder();
            recs.add(r);
            prompts.add(prompt);
            scheduler.submit(job(model, prompt, LONG, r));
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(FinishReason.STOP, recs.get(i).await());
            String expected = FakeBatchBackend.answer(prompts.get(i));
            assertEquals(expected, recs.get(i).text.toString());
            assertEquals(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, recs.get(i).completion);
            assertEquals(prompts.get(i).length, recs.get(i).prompt);
        }
        assertEquals(4, model.maxBatch.get(), "4 slots should have been decoded in one step");
        assertEquals(0, model.liveSequences.get(), "every sequence released");
        assertEquals(0, scheduler.busySlots());
    }

    @Test
    void longPromptsArePrefilledInChunksBetweenDecodeSteps() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 0, 0);
        scheduler = new BatchScheduler(model, 2, 4, new Metrics(), 4);
        int[] prompt = FakeBatchBackend.bytes("nineteen characters", true); // 20 tokens → 5 chunks of 4
        Recorder r = new Recorder();
        scheduler.submit(job(model, prompt, LONG, r));
        assertEquals(FinishReason.STOP, r.await());
        assertEquals(FakeBatchBackend.answer(prompt), r.text.toString(), "the answer depends on the whole prompt");
        assertEquals(5, model.prefillCalls.get());
        assertEquals(prompt.length, r.prompt);
    }

    /**
     * Chunked prefill, deterministically: a long prompt arrives while another stream generates
     * (submitted from that stream's third token, on the scheduler thread itself); every one of its
     * chunks runs in a step that also decodes the running stream, so that stream gets a token per
     * step throughout and never waits for the whole prompt. Both answers are the unchunked ones.
     */
    @Test
    void aPromptArrivingMidStreamIsReadAChunkPerStepWhileTheStreamGetsATokenEveryStep() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(4096, 0, 0, 40);
        scheduler = new BatchScheduler(model, 2, 4, new Metrics(), 4);
        int[] shortPrompt = FakeBatchBackend.bytes("go", true);
        int[] longPrompt = FakeBatchBackend.bytes("a prompt of some forty-one characters.", true); // 39 tokens: 10 chunks
        Recorder first = new Recorder(), second = new Recorder();
        JobListener submitsMidStream = new JobListener() {
            int tokens;
            @Override public void onToken(String text, TokenLogprob lp) {
                first.onToken(text, lp);
                if (++tokens == 3) scheduler.submit(job(model, longPrompt, LONG, second));
            }
            @Override public void onFinish(FinishReason r, int p, int c) { first.onFinish(r, p, c); }
            @Override public void onError(RuntimeException e) { first.onError(e); }
        };
        scheduler.submit(job(model, shortPrompt, LONG, submitsMidStream));
        assertEquals(FinishReason.STOP, first.await());
        assertEquals(FinishReason.STOP, second.await());
        assertEquals(FakeBatchBackend.answer(shortPrompt, 40, FakeBatchBackend.TAIL), first.text.toString());
        assertEquals(FakeBatchBackend.answer(longPrompt, 40, FakeBatchBackend.TAIL), second.text.toString());

        List<FakeBatchBackend.StepRecord> log = List.copyOf(model.stepLog);
        List<FakeBatchBackend.StepRecord> withLongChunks = log.stream()
                .filter(r -> !r.promptChunks().isEmpty() && r.decoded() > 0).toList();
        assertEquals(10, withLongChunks.size(), "the long prompt in 10 chunks of at most 4, each in a step that decodes the stream: " + log);
        assertEquals(List.of(4, 4, 4, 4, 4, 4, 4, 4, 4, 3), withLongChunks.stream().map(r -> r.promptChunks().get(0)).toList());
        int firstChunk = log.indexOf(withLongChunks.get(0)), lastChunk = log.indexOf(withLongChunks.get(9));
        assertEquals(9, lastChunk - firstChunk, "the chunks run in consecutive steps: " + log);
        for (int i = firstChunk; i <= lastChunk; i++) assertEquals(1, log.get(i).decoded(), "step " + i + " decodes the stream");
        assertEquals(2, log.get(lastChunk + 1).decoded(), "the next step decodes both");
        assertEquals(0, model.liveSequences.get());
    }

    /**
     * Prompts admitted together are read in one step (up to the chunk budget), alongside the running
     * stream, instead of one pass each: three requests arrive at the running stream's first token.
     */
    @Test
    void promptsAdmittedTogetherShareOneStep() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 0, 0);
        scheduler = new BatchScheduler(model, 4, 8, new Metrics(), 64);
        int[] running = FakeBatchBackend.bytes("running", true);
        List<Recorder> recs = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            prompts.add(FakeBatchBackend.bytes("prompt " + i, true));
            recs.add(new Recorder());
        }
        Recorder first = new Recorder();
        JobListener submitsThree = new JobListener() {
            boolean sent;
            @Override public void onToken(String text, TokenLogprob lp) {
                first.onToken(text, lp);
                if (sent) return;
                sent = true;
                for (int i = 0; i < 3; i++) scheduler.submit(job(model, prompts.get(i), SamplingParams.GREEDY.withMaxTokens(3), recs.get(i)));
            }
            @Override public void onFinish(FinishReason r, int p, int c) { first.onFinish(r, p, c); }
            @Override public void onError(RuntimeException e) { first.onError(e); }
        };
        scheduler.submit(job(model, running, LONG, submitsThree));
        assertEquals(FinishReason.STOP, first.await());
        assertEquals(FakeBatchBackend.answer(running), first.text.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(FinishReason.LENGTH, recs.get(i).await());
            assertEquals(FakeBatchBackend.answer(prompts.get(i)).substring(0, 3), recs.get(i).text.toString());
        }
        List<FakeBatchBackend.StepRecord> log = List.copyOf(model.stepLog);
        List<Integer> lengths = prompts.stream().map(p -> p.length).toList();
        assertTrue(log.contains(new FakeBatchBackend.StepRecord(1, lengths)), "the three prompts in one step with the stream's token: " + log);
        assertEquals(4, model.maxBatch.get(), "then all four decoded together");
    }

    @Test
    void maxTokensAndStopStringsEndGenerations() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 0, 0);
        scheduler = new BatchScheduler(model, 2, 4, new Metrics());
        int[] prompt = FakeBatchBackend.bytes("abc", true);
        String answer = FakeBatchBackend.answer(prompt);

        Recorder limited = new Recorder();
        scheduler.submit(job(model, prompt, SamplingParams.GREEDY.withMaxTokens(3), limited));
        assertEquals(FinishReason.LENGTH, limited.await());
        assertEquals(answer.substring(0, 3), limited.text.toString());
        assertEquals(3, limited.completion);

        Recorder stopped = new Recorder();
        scheduler.submit(job(model, prompt, LONG.withStop(List.of("wö")), stopped));
        assertEquals(FinishReason.STOP, stopped.await());
        assertEquals(answer.substring(0, answer.indexOf("wö")), stopped.text.toString());

        Recorder zero = new Recorder();
        scheduler.submit(job(model, prompt, SamplingParams.GREEDY.withMaxTokens(0), zero));
        assertEquals(FinishReason.LENGTH, zero.await());
        assertEquals("", zero.text.toString());
        assertEquals(0, model.liveSequences.get());
    }

    @Test
    void generationStopsWhenTheContextIsFull() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(12, 0, 0);
        scheduler = new BatchScheduler(model, 1, 4, new Metrics());
        int[] prompt = FakeBatchBackend.bytes("abcdefg", true); // 8 tokens of 12
        Recorder r = new Recorder();
        scheduler.submit(job(model, prompt, LONG, r));
        assertEquals(FinishReason.LENGTH, r.await());
        assertEquals(4, r.completion, "prompt + generated reaches the context exactly");

        Recorder tooLong = new Recorder();
        // planned without the planner's own context check, to test the scheduler's
        scheduler.submit(job(model.unchecked(FakeBatchBackend.bytes("abcdefghijklmnop", true)), LONG, tooLong));
        Exception e = assertThrows(Exception.class, tooLong::await);
        assertInstanceOf(ApiError.class, e.getCause());
        assertEquals("context_length_exceeded", ((ApiError) e.getCause()).code());
    }

    @Test
    void cancelledJobLeavesItsSlotForAWaitingOne() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(100_000, 1000, 0, 20);
        scheduler = new BatchScheduler(model, 1, 4, new Metrics());
        Recorder first = new Recorder();
        Job firstJob = job(model, FakeBatchBackend.bytes("first", true), LONG, first);
        scheduler.submit(firstJob);
        Recorder second = new Recorder();
        int[] p2 = FakeBatchBackend.bytes("second", true);
        scheduler.submit(job(model, p2, LONG, second));
        long until = System.nanoTime() + 10_000_000_000L;
        while (first.tokens < 2 && System.nanoTime() < until) Thread.sleep(1);
        firstJob.cancel();
        assertEquals(FinishReason.CANCELLED, first.await());
        assertEquals(FinishReason.STOP, second.await());
        assertEquals(FakeBatchBackend.answer(p2, 20), second.text.toString());
        assertEquals(0, model.liveSequences.get());
    }

    @Test
    void fullQueueIsRefusedWith503AndRetryAfter() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 20_000, 0);
        scheduler = new BatchScheduler(model, 1, 1, new Metrics());
        List<Job> jobs = new ArrayList<>();
        ApiError refused = null;
        for (int i = 0; i < 4 && refused == null; i++) {
            Job j = job(model, FakeBatchBackend.bytes("q" + i, true), LONG, new Recorder());
            try {
                scheduler.submit(j);
                jobs.add(j);
            } catch (ApiError e) {
                refused = e;
            }
        }
        assertNotNull(refused, "a 1-slot scheduler with a 1-deep queue must refuse the third job");
        assertEquals(503, refused.status());
        assertEquals(1, refused.retryAfterSeconds());
        jobs.forEach(Job::cancel);
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheLogits() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 0, 0);
        scheduler = new BatchScheduler(model, 1, 4, new Metrics());
        Recorder r = new Recorder();
        scheduler.submit(new Job(CompletionRequest.of("x", SamplingParams.GREEDY.withMaxTokens(2)), model.planner().plan(FakeBatchBackend.bytes("a", true)), 2,
                System.nanoTime() + TimeUnit.SECONDS.toNanos(30), r));
        r.await();
        // one-hot logits: LOGIT for the chosen token, 0 for the other 260
        double expected = FakeBatchBackend.LOGIT - Math.log(Math.exp(FakeBatchBackend.LOGIT) + (FakeBatchBackend.VOCAB - 1));
        assertEquals(2, r.logprobs.size());
        assertEquals(expected, r.logprobs.get(0).logprob(), 1e-6);
        assertEquals(" ", r.logprobs.get(0).token());
        assertEquals(2, r.logprobs.get(0).top().size());
        assertEquals(" ", r.logprobs.get(0).top().get(0).token());
        assertEquals(0 - Math.log(Math.exp(FakeBatchBackend.LOGIT) + (FakeBatchBackend.VOCAB - 1)), r.logprobs.get(0).top().get(1).logprob(), 1e-6);
    }

    @Test
    void drainLetsRunningJobsFinishThenRefusesNewOnes() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(512, 1000, 0);
        scheduler = new BatchScheduler(model, 2, 4, new Metrics());
        Recorder r = new Recorder();
        int[] p = FakeBatchBackend.bytes("drain me", true);
        scheduler.submit(job(model, p, LONG, r));
        scheduler.drain(Duration.ofSeconds(10));
        assertEquals(FinishReason.STOP, r.await());
        assertEquals(FakeBatchBackend.answer(p), r.text.toString());
        ApiError e = assertThrows(ApiError.class, () -> scheduler.submit(job(model, p, LONG, new Recorder())));
        assertEquals(503, e.status());
        scheduler = null;
    }
}
