package dev.codellm.server;

import dev.codellm.core.FinishReason;
import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.RequestPlanner;
import dev.codellm.model.generate.GenerationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous batching: one scheduler thread owns up to {@code slots} running generations. Between
 * steps it admits queued jobs into free slots, then runs one {@link BatchBackend#step} for the next
 * token of every running generation together with a chunk of the prompts being read, so the
 * weights are streamed once per step however many requests are in flight, and a long prompt
 * arriving does not stall the tokens of the others. Jobs that are cancelled, time out,
 * stop or hit a limit leave their slot at the next step, and a waiting job takes it.
 */
public final class BatchScheduler implements InferenceService {
    private final BatchBackend model;
    private final int slots;
    private final BlockingQueue<Job> queue;
    private final Metrics metrics;
    private final List<SlotState> running = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    /**
     * Jobs accepted and not yet ended (queued, being taken off the queue, or running). Drain waits
     * on this one count: "queue empty and no slot busy" misses a job the scheduler has just polled
     * but not yet put in a slot.
     */
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean cancelAll;
    private volatile boolean stopped;

    /**
     * Prompt tokens run per step (all prompts being read together), so a long prompt does not stall
     * the other slots' tokens: a step costs at most this many rows more than the decode rows.
     */
    public static final int DEFAULT_PREFILL_CHUNK = 256;

    private final int prefillChunk;

    private volatile int lookup;

    /**
     * Prompt-lookup decoding for every slot ({@code --lookup N}: up to N drafted tokens per slot and
     * step, verified in the same batched step as the other slots' tokens); 0 = off. The output is
     * unchanged: a draft is kept only where the slot's sampler picks it.
     */
    public void setLookup(int draftTokens) {
        if (draftTokens < 0) throw new IllegalArgumentException("--lookup must be >= 0, got " + draftTokens);
        if (draftTokens > 0 && !model.verifiesDrafts()) throw new IllegalArgumentException("this backend cannot verify drafts (--lookup)");
        lookup = draftTokens;
    }

    public BatchScheduler(BatchBackend model, int slots, int queueCapacity, Metrics metrics) {
        this(model, slots, queueCapacity, metrics, DEFAULT_PREFILL_CHUNK);
    }

    public BatchScheduler(BatchBackend model, int slots, int queueCapacity, Metrics metrics, int prefillChunk) {
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill chunk must be >= 1, got " + prefillChunk);
        this.prefillChunk = prefillChunk;
        if (slots < 1) throw new IllegalArgumentException("--parallel must be >= 1, got " + slots);
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be >= 1, got " + queueCapacity);
        this.model = model;
        this.slots = slots;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("codellm-scheduler").daemon(true).start(this::loop);
    }

    @Override public ModelInfo info() { return model.info(); }
    @Override public BatchBackend tokenizer() { return model; }
    @Override public int slots() { return slots; }
    @Override public int busySlots() { return busy.get(); }
    @Override public int queueDepth() { return queue.size(); }

    @Override public RequestPlanner planner() { return model.planner(); }
    @Override public Embeddings embeddings() { return model.embeddings(); }

    @Override
    public void submit(Job job) {
        if (job.plan() == null) throw new IllegalArgumentException("BatchScheduler needs planned prompts");
        if (!accepting) throw ApiError.overloaded("The server is shutting down.");
        outstanding.incrementAndGet();
        if (!queue.offer(job)) {
            outstanding.decrementAndGet();
            throw ApiError.overloaded("All " + slots + " slots are busy and the queue is full; retry later.");
        }
    }

    @Override
    public void drain(Duration grace) {
        accepting = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        cancelAll = true;
        stopped = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (true) {
            if (cancelAll) {
                running.forEach(s -> s.job.cancel());
                for (Job j; (j = queue.poll()) != null; ) j.cancel();
            }
            dropCancelledWaiting();
            admit();
            if (running.isEmpty()) {
                if (stopped && queue.isEmpty()) return;
                try {
                    Job j = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (j != null) start(j);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            step();
        }
    }

    /**
     * Ends queued jobs whose client left (or that timed out) now rather than when they reach a
     * slot, so they do not hold queue places that new requests are refused for.
     */
    private void dropCancelledWaiting() {
        if (queue.isEmpty()) return;
        long now = System.nanoTime();
        for (Job j : queue) {
            if ((j.isCancelled() || j.isExpired(now)) && queue.remove(j)) start(j);
        }
    }

    /** Moves queued jobs into free slots; their prompts are then prefilled chunk by chunk. */
    private void admit() {
        while (running.size() < slots) {
            Job j = queue.poll();
            if (j == null) return;
            start(j);
        }
    }

    private void start(Job job) {
        if (job.isCancelled()) {
            finishUnstarted(job, FinishReason.CANCELLED);
            return;
        }
        if (job.isExpired(System.nanoTime())) {
            metrics.jobFailed();
            ended();
            job.listener().onError(ApiError.overloaded("Timed out waiting for a free slot."));
            return;
        }
        int[] prompt = job.promptTokens();
        if (prompt.length >= model.info().contextLength()) {
            metrics.jobFailed();
            ended();
            job.listener().onError(ApiError.contextExceeded(prompt.length, model.info().contextLength()));
            return;
        }
        SlotState s;
        try {
            s = new SlotState(job, job.plan().newState(job.sampling()));
        } catch (RuntimeException e) {
            metrics.jobFailed();
            ended();
            job.listener().onError(e);
            return;
        }
        if (s.state.nothingToGenerate()) {
            s.state.finishNow();
            finishUnstarted(job, FinishReason.LENGTH);
            return;
        }
        busy.incrementAndGet();
        try {
            s.seq = model.newSequence(prompt);
            s.prefilled = s.seq.cachedTokens();
            metrics.promptCacheHit(s.prefilled);
            running.add(s);
        } catch (RuntimeException e) {
            fail(s, e);
        }
    }

    private void finishUnstarted(Job job, FinishReason reason) {
        metrics.jobFinished(reason, job.promptTokens().length, 0);
        ended();
        job.listener().onFinish(reason, job.promptTokens().length, 0);
    }

    /**
     * One mixed engine pass (llama-server's unified batch): the next token of every slot past its
     * prompt, and up to {@code prefillChunk} tokens of the prompts being read, oldest first. A long
     * prompt is so read a chunk per step while the running streams go on getting a token every
     * step, and neither pays for a pass over the weights of its own.
     */
    private void step() {
        List<SlotState> batch = new ArrayList<>(running.size());
        for (SlotState s : running) if (!s.prefilling() && roomFor(s)) batch.add(s);
        running.removeIf(s -> s.released);
        if (lookup > 0 && verifyDrafts(batch)) batch.clear();  // the decoding slots stepped with their drafts
        int decoding = batch.size(), budget = prefillChunk;
        for (SlotState s : List.copyOf(running)) {
            if (budget == 0) break;
            if (!s.prefilling()) continue;
            if (s.job.isCancelled() || s.job.isExpired(System.nanoTime())) {
                running.remove(s);
                finish(s, s.job.isCancelled() ? FinishReason.CANCELLED : FinishReason.LENGTH);
                continue;
            }
            s.chunk = Math.min(budget, s.job.promptTokens().length - s.prefilled);
            budget -= s.chunk;
            batch.add(s);
        }
        int n = batch.size();
        if (n == 0) return;
        BatchBackend.Sequence[] seqs = new BatchBackend.Sequence[n];
        int[][] tokens = new int[n][];
        boolean[] wantLogits = new boolean[n];
        for (int i = 0; i < n; i++) {
            SlotState s = batch.get(i);
            seqs[i] = s.seq;
            if (i < decoding) {
                tokens[i] = new int[] {s.pending};
                wantLogits[i] = true;
            } else {
                tokens[i] = java.util.Arrays.copyOfRange(s.job.promptTokens(), s.prefilled, s.prefilled + s.chunk);
                wantLogits[i] = s.prefilled + s.chunk == s.job.promptTokens().length;
            }
        }
        float[][] logits;
        try {
            long t0 = System.nanoTime(), nanos;
            logits = model.step(seqs, tokens, wantLogits);
            nanos = System.nanoTime() - t0;
            // the pass's time shared by rows between the two figures /metrics reports
            int prompt = prefillChunk - budget;
            if (decoding > 0) metrics.decodeStep(decoding, nanos * decoding / (decoding + prompt));
            if (prompt > 0) metrics.prefill(prompt, nanos * prompt / (decoding + prompt));
        } catch (RuntimeException e) {
            for (SlotState s : batch) fail(s, e);
            running.removeAll(batch);
            return;
        }
        for (int i = 0; i < n; i++) {
            SlotState s = batch.get(i);
            boolean goesOn = true;
            try {
                if (i < decoding) {
                    s.position++;
                    goesOn = advance(s, logits[i]);
                } else {
                    s.prefilled += s.chunk;
                    s.position = s.prefilled;
                    if (!s.prefilling()) goesOn = advance(s, logits[i]);
                }
            } catch (RuntimeException e) {
                fail(s, e);
                goesOn = false;
            }
            if (!goesOn) running.remove(s);
        }
    }

    /**
     * Prompt-lookup decoding's step ({@code --lookup}): each slot past its prompt feeds its pending
     * token and the tokens drafted after it, all slots in one pass; a slot keeps its drafts up to
     * the first its sampler does not pick, and its cache is truncated there. Returns false, having
     * done nothing, when no slot has a draft (the mixed step then decodes them as usual); prompts
     * being read get their chunk in the mixed step after this one.
     */
    private boolean verifyDrafts(List<SlotState> decoding) {
        int n = decoding.size();
        if (n == 0) return false;
        BatchBackend.Sequence[] seqs = new BatchBackend.Sequence[n];
        int[][] runs = new int[n][];
        int capacity = model.info().contextLength(), rows = 0, draftTokens = lookup;
        for (int i = 0; i < n; i++) {
            SlotState s = decoding.get(i);
            seqs[i] = s.seq;
            int[] draft = draftTokens > 0 ? s.state.draft(Math.min(draftTokens, capacity - s.position - 1)) : new int[0];
            runs[i] = new int[1 + draft.length];
            runs[i][0] = s.pending;
            System.arraycopy(draft, 0, runs[i], 1, draft.length);
            rows += runs[i].length;
        }
        if (rows == n) return false;
        float[][][] logits;
        try {
            long t0 = System.nanoTime();
            logits = model.decodeRuns(seqs, runs);
            metrics.decodeStep(rows, System.nanoTime() - t0);
        } catch (RuntimeException e) {
            for (SlotState s : decoding) fail(s, e);
            running.removeAll(decoding);
            return true;
        }
        for (int i = 0; i < n; i++) {
            SlotState s = decoding.get(i);
            int[] run = runs[i];
            boolean goesOn = true;
            int used = 0;
            try {
                // Drafts are counted before advance can finish the job: its response (draft_n) and
                // /metrics, read as soon as it finishes, must include this step's drafts.
                draftsCounted(s, run.length - 1, 0);
                for (int j = 0; j < run.length; j++) {
                    if (j > 0) draftsCounted(s, 0, 1);  // reached only when the sampler picked run[j]: a draft kept
                    goesOn = advance(s, logits[i][j]);
                    used = j + 1;
                    // logits[i][j + 1] follow run[j + 1]: valid only if that draft is what was picked
                    if (!goesOn || j + 1 == run.length || s.pending != run[j + 1]) break;
                }
                s.position += used;
                if (goesOn && used < run.length) model.truncate(s.seq, s.position);
            } catch (RuntimeException e) {
                fail(s, e);
                goesOn = false;
            }
            if (!goesOn) running.remove(s);
        }
        return true;
    }

    private void draftsCounted(SlotState s, int drafted, int accepted) {
        if (drafted == 0 && accepted == 0) return;
        s.job.drafts(drafted, accepted);
        metrics.drafts(drafted, accepted);
    }

    /**
     * Samples the next token from {@code logits} (the generation module's {@link GenerationState}
     * does sampling, stop tokens and strings, UTF-8 decoding and limits) and sends its text; returns
     * false when the job ended (and has been finished), true when its token is to be decoded next.
     */
    private boolean advance(SlotState s, float[] logits) {
        Job job = s.job;
        if (job.isCancelled()) {
            s.state.cancel();
            return finish(s, FinishReason.CANCELLED);
        }
        if (job.isExpired(System.nanoTime())) return finish(s, FinishReason.LENGTH);
        int before = s.state.generatedTokens();
        GenerationState.Step step = s.state.next(logits);
        TokenLogprob lp = null;
        if (job.topLogprobs() >= 0) {
            int sampled = step.token() >= 0 ? step.token() : s.state.generatedTokens() > before ? lastGenerated(s.state) : -1;
            if (sampled >= 0) lp = Logprobs.of(logits, sampled, job.topLogprobs(), model);
        }
        if (!step.text().isEmpty() || lp != null) job.listener().onToken(step.text(), lp);
        if (step.finished()) {
            if (step.finish() == FinishReason.LENGTH && job.plan().shiftKeep() < 0
                    && s.state.promptTokens() + s.state.generatedTokens() >= model.info().contextLength()) {
                metrics.contextFull();
                job.markTruncated();
            }
            return finish(s, step.finish());
        }
        s.pending = step.token();
        return true;
    }

    /**
     * Makes room for a slot's next token when its cache is full: shifts the context when the
     * server runs with {@code --context-shift} (llama-server's n_keep + half of the rest), else,
     * or when nothing is left to drop, finishes the job with {@code length} (never an error: the
     * client gets what was generated). Returns false when the job was finished.
     */
    private boolean roomFor(SlotState s) {
        int capacity = model.info().contextLength();
        if (s.position < capacity) return true;
        int keep = s.job.plan().shiftKeep(), discard = keep < 0 ? 0 : dev.codellm.model.generate.ContextShift.discard(s.position, keep);
        if (discard == 0) {
            GenerationState.Step end = s.state.endAtContext();
            if (!end.text().isEmpty()) s.job.listener().onToken(end.text(), null);
            metrics.contextFull();
            s.job.markTruncated();
            finish(s, FinishReason.LENGTH);
            return false;
        }
        try {
            model.shift(s.seq, keep, discard);
        } catch (RuntimeException e) {
            fail(s, e);
            return false;
        }
        s.position -= discard;
        s.job.markTruncated();
        metrics.contextShift();
        return true;
    }

    private static int lastGenerated(GenerationState state) {
        int[] ids = state.generatedIds();
        return ids[ids.length - 1];
    }

    private boolean finish(SlotState s, FinishReason reason) {
        release(s);
        int prompt = s.job.promptTokens().length;
        int generated = s.state.generatedTokens();
        metrics.jobFinished(reason, prompt, generated);
        ended();
        s.job.listener().onFinish(reason, prompt, generated);
        return false;
    }

    private void fail(SlotState s, RuntimeException e) {
        release(s);
        metrics.jobFailed();
        ended();
        s.job.listener().onError(e);
    }

    private void release(SlotState s) {
        if (s.released) return;
        s.released = true;
        busy.decrementAndGet();
        if (s.seq != null) {
            try {
                s.seq.release();
            } catch (RuntimeException ignored) {
                // a cache that cannot be freed is garbage-collected with its session
            }
        }
    }

    private void ended() {
        outstanding.decrementAndGet();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A running generation: its cache, its token-by-token state and the token to feed next. */
    private static final class SlotState {
        final Job job;
        final GenerationState state;
        BatchBackend.Sequence seq;
        int prefilled;
        /** Prompt tokens this slot runs in the current step. */
        int chunk;
        /** Tokens in the cache (the prompt, then one more per decode step, less what shifts dropped). */
        int position;
        int pending;
        boolean released;

        boolean prefilling() { return prefilled < job.promptTokens().length; }

        SlotState(Job job, GenerationState state) {
            this.job = job;
            this.state = state;
        }
    }
}
