package dev.codellm.model.generate;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import java.util.function.IntFunction;

/**
 * {@link Generator} running a model in this process: plain completion, Code Llama infill and chat,
 * streaming text to the {@link TokenSink} as it is generated. One request at a time (requests are
 * serialized) on one sequence (KV cache) sized to the context length; the cache of a prompt prefix
 * shared with the previous request is reused (a chat's next turn computes only the new tokens).
 *
 * Requests are planned (prompt ids, stop rules) by the model module's {@link RequestPlanner}, the
 * same one the server's batching engine plans with.
 *
 * <p>{@link #open} loads a GGUF file; the constructor takes the pieces directly (tests).
 */
public final class LocalGenerator implements Generator {
    private final RequestPlanner planner;
    private final IntFunction<SequenceRunner> newSequence;
    private SequenceRunner sequence;
    private final AutoCloseable resources;
    private final String summary;

    /**
     * @param newSequence makes the sequence (KV cache) holding the given number of tokens; called
     *                    once, on first use, and reused for every request
     * @param resources   closed by {@link #close()} (the mapped model file), may be null
     */
    public LocalGenerator(TokenCodec codec, IntFunction<SequenceRunner> newSequence, ModelInfo info,
                          ChatTemplate template, InfillFormat infillFormat, AutoCloseable resources) {
        this(new RequestPlanner(codec, info, template, infillFormat), newSequence, resources, info.name());
    }

    /** A generator planning with {@code planner}, with a one-line description of the loaded model for users ({@link #summary()}). */
    public LocalGenerator(RequestPlanner planner, IntFunction<SequenceRunner> newSequence, AutoCloseable resources, String summary) {
        this.planner = planner;
        this.newSequence = newSequence;
        this.resources = resources;
        this.summary = summary;
    }

    /** Opens a GGUF model file (see {@link GeneratorOptions} for context size, KV type, template). */
    public static LocalGenerator open(java.nio.file.Path gguf, GeneratorOptions options) {
        return LocalGeneratorFactory.open(gguf, options);
    }

    /** One line about the loaded model: shape, weight type, context and KV-cache size, template. */
    public String summary() { return summary; }

    @Override
    public ModelInfo info() { return planner.info(); }

    public TokenCodec codec() { return planner.codec(); }

    /** What happens at the end of the context (off: answers stop there with {@code length}). */
    public ContextShift contextShift() { return planner.contextShift(); }

    public ChatTemplate template() { return planner.template(); }

    /** The prompt ids a completion or infill request is turned into. */
    public int[] promptIds(CompletionRequest request) {
        return planner.promptIds(request);
    }

    /** The prompt ids of a chat request, rendered with the model's template (a trailing assistant message is a prefill). */
    public int[] promptIds(ChatRequest request) {
        return planner.promptIds(request);
    }

    @Override
    public int promptTokens(dev.codellm.core.GenerationRequest request) {
        return request instanceof CompletionRequest c ? promptIds(c).length : promptIds((ChatRequest) request).length;
    }

    @Override
    public synchronized Completion complete(CompletionRequest request, TokenSink sink) {
        return run(planner.plan(request), request.sampling(), sink);
    }

    @Override
    public synchronized Completion chat(ChatRequest request, TokenSink sink) {
        return run(planner.plan(request), request.sampling(), sink);
    }

    /** Generates after raw {@code promptIds} and returns the finished state (ids, text, finish reason). */
    public synchronized GenerationState generate(int[] promptIds, SamplingParams sampling, TokenSink sink) {
        PlannedPrompt p = planner.plan(promptIds);
        GenerationState state = p.newState(sampling);
        drive(state, p, sink);
        return state;
    }

    private Completion run(PlannedPrompt p, SamplingParams sampling, TokenSink sink) {
        GenerationState state = p.newState(sampling);
        drive(state, p, sink);
        return new Completion(state.text(), state.finishReason(), new Usage(p.promptIds().length, state.generatedTokens()));
    }

    /**
     * Prompt-lookup decoding ({@link PromptLookup}) with up to {@code draftTokens} drafted tokens
     * per step, 0 = off (the default). The output is the same as without it (greedy or seeded
     * sampling alike): a drafted token is kept only where the sampler picks it from the verified
     * logits, and the cache is rolled back past the first one it does not pick.
     */
    public synchronized void setLookup(int draftTokens) {
        if (draftTokens < 0) throw new IllegalArgumentException("--lookup must be >= 0, got " + draftTokens);
        this.lookup = draftTokens;
    }

    /** Drafted tokens per step ({@link #setLookup}); 0 = off. */
    public int lookup() { return lookup; }

    /** Tokens drafted and drafted tokens accepted by the last request (llama-server's draft_n, draft_n_accepted). */
    public record DraftStats(int drafted, int accepted) {
        public static final DraftStats NONE = new DraftStats(0, 0);
    }

    /** Drafts of the last request (zeros with lookup off). */
    public synchronized DraftStats lastDraftStats() { return lastDrafts; }

    private int lookup;
    private DraftStats lastDrafts = DraftStats.NONE;

    private void drive(GenerationState state, PlannedPrompt p, TokenSink sink) {
        lastDrafts = DraftStats.NONE;
        if (state.nothingToGenerate()) {
            state.finishNow();
            return;
        }
        if (sequence == null) sequence = newSequence.apply(info().contextLength());
        float[] logits = sequence.start(p.promptIds());
        int position = p.promptIds().length, capacity = sequence.capacity();
        int drafted = 0, accepted = 0;
        try {
            GenerationState.Step step = state.next(logits);
            while (true) {
                if (!step.text().isEmpty() && !sink.accept(step.text())) {
                    if (!step.finished()) state.cancel();
                    return;
                }
                if (step.finished()) return;
                if (position >= capacity) {
                    // Only with context shift on (otherwise the state ends at the capacity itself).
                    int keep = p.shiftKeep(), discard = keep < 0 ? 0 : ContextShift.discard(position, keep);
                    if (discard == 0) {
                        GenerationState.Step end = state.endAtContext();
                        if (!end.text().isEmpty()) sink.accept(end.text());
                        return;
                    }
                    sequence.shift(keep, discard);
                    position -= discard;
                }
                int[] draft = lookup > 0 ? state.draft(Math.min(lookup, capacity - position - 1)) : new int[0];
                float[][] rows = draft.length == 0 ? null : sequence.appendAll(prepend(step.token(), draft));
                if (rows == null) {
                    logits = sequence.append(step.token());
                    position++;
                    step = state.next(logits);
                    continue;
                }
                // rows[j]: the logits after the pending token (j = 0) or after draft[j - 1]
                drafted += draft.length;
                int fed = 1 + draft.length, used = 0;
                for (int j = 0; j < rows.length; j++) {
                    if (j > 0) {
                        // the previous step is the drafted token rows[j] follows: show it first
                        accepted++;
                        if (!step.text().isEmpty() && !sink.accept(step.text())) {
                            state.cancel();
                            sequence.truncate(position + j);
                            return;
                        }
                    }
                    step = state.next(rows[j]);
                    used = j + 1;
                    if (step.finished() || j == draft.length || step.token() != draft[j]) break;
                }
                position += used;
                if (used < fed) sequence.truncate(position);
            }
        } finally {
            lastDrafts = new DraftStats(drafted, accepted);
        }
    }

    private static int[] prepend(int first, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Override
    public synchronized void close() {
        if (sequence != null) sequence.close();
        sequence = null;
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new CodellmException("could not close model: " + e.getMessage(), e);
            }
        }
    }
}
