package dev.codellm.model.generate;

import dev.codellm.core.FinishReason;
import dev.codellm.core.SamplingParams;
import java.util.List;
import java.util.Set;

/**
 * The token-by-token state of one generated sequence, independent of how logits are computed
 * (one sequence at a time in {@link LocalGenerator}, or batched by the server): sampling,
 * end-of-generation tokens, stop strings across token boundaries, max tokens and a full context.
 *
 * <p>Each {@link #next(float[])} call takes the logits after the last fed token and returns a
 * {@link Step}: the text to show now and, unless finished, the token to feed next.
 */
public final class GenerationState {
    /** One step's outcome. {@code token} is -1 when nothing is to be fed; {@code finish} is null while running. */
    public record Step(int token, String text, FinishReason finish) {
        public boolean finished() { return finish != null; }
    }

    private final Sampler sampler;
    private final TokenHistory history;
    private final StopStringFilter stops;
    private final TokenCodec.TextDecoder decoder;
    private final Set<Integer> stopTokens;
    private final TokenCodec codec;
    private final int maxTokens;
    private final int capacity;
    private final int promptTokens;
    private final StringBuilder text = new StringBuilder();
    private boolean stripLeadingSpace;
    private int generated;
    private FinishReason finish;

    /**
     * @param promptIds          the prompt already fed to the model (for penalties and context accounting)
     * @param capacity           tokens the sequence can hold (context size)
     * @param extraStopTokens    ids that end this sequence besides the codec's end-of-generation tokens
     *                           (e.g. {@code <EOT>} for infill, {@code <|im_end|>} for ChatML)
     * @param extraStopStrings   stop strings added to {@code params.stop()} (e.g. a template's turn end)
     * @param stripLeadingSpace  drop one leading space of the answer (SentencePiece {@code decode}
     *                           does so for chat answers in the Code Llama reference)
     */
    public GenerationState(TokenCodec codec, SamplingParams params, int[] promptIds, int capacity,
                           Set<Integer> extraStopTokens, List<String> extraStopStrings, boolean stripLeadingSpace) {
        this.codec = codec;
        this.sampler = new Sampler(params);
        this.history = new TokenHistory(promptIds);
        this.stops = new StopStringFilter(concat(params.stop(), extraStopStrings));
        this.decoder = codec.newDecoder();
        this.stopTokens = Set.copyOf(extraStopTokens);
        this.maxTokens = params.maxTokens();
        this.capacity = capacity;
        this.promptTokens = promptIds.length;
        this.stripLeadingSpace = stripLeadingSpace;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** True when the prompt leaves no room or no tokens were asked for: call {@link #finishNow()} instead of forwarding. */
    public boolean nothingToGenerate() {
        return maxTokens == 0;
    }

    /** Ends before any forward pass (max tokens 0). */
    public Step finishNow() {
        finish = FinishReason.LENGTH;
        return new Step(-1, "", finish);
    }

    /**
     * Ends with {@code length} because the context is full and cannot shift (context shift off, or
     * nothing left to drop after the kept tokens); the step carries the text still held back.
     */
    public Step endAtContext() {
        return end(FinishReason.LENGTH, "");
    }

    /** Ends early because the consumer went away. */
    public Step cancel() {
        finish = FinishReason.CANCELLED;
        return new Step(-1, "", finish);
    }

    /** Samples the next token from {@code logits} and reports what to show and whether to go on. */
    public Step next(float[] logits) {
        if (finish != null) throw new IllegalStateException("generation already finished: " + finish);
        checkFinite(logits);
        int token = sampler.sample(logits, history);
        if (codec.isEndOfGeneration(token) || stopTokens.contains(token)) return end(FinishReason.STOP, "");
        history.add(token);
        generated++;
        String piece = stops.push(stripOnce(decoder.accept(token)));
        if (stops.stopped()) return end(FinishReason.STOP, piece);
        if (generated >= maxTokens || promptTokens + generated >= capacity) return end(FinishReason.LENGTH, piece);
        text.append(piece);
        return new Step(token, piece, null);
    }

    /**
     * Refuses NaN or +Inf logits: argmax over NaNs picks token 0 every step, so a damaged model
     * would otherwise "answer" with silent empty text until max tokens. (-Inf is left alone: it is
     * a legitimate "never this token".) One pass over the vocabulary, nothing next to a forward pass.
     */
    private void checkFinite(float[] logits) {
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (v != v || v == Float.POSITIVE_INFINITY)
                throw new dev.codellm.core.ModelFaultException("the model's logits became " + (v != v ? "NaN" : "infinite")
                        + " (token id " + i + ", after " + generated + " generated tokens): its weights are damaged;"
                        + " `codellm inspect --check MODEL.gguf` names the tensors holding NaN/Inf");
        }
    }

    private Step end(FinishReason reason, String piece) {
        String tail = piece;
        if (!stops.stopped()) {
            // Release text held back as a possible stop-string start, and bytes of an unfinished character.
            tail += stops.push(stripOnce(decoder.flush()));
            tail += stops.flush();
            if (stops.stopped()) reason = FinishReason.STOP;
        }
        finish = reason;
        text.append(tail);
        return new Step(-1, tail, reason);
    }

    private String stripOnce(String s) {
        if (stripLeadingSpace && !s.isEmpty()) {
            stripLeadingSpace = false;
            if (s.charAt(0) == ' ') return s.substring(1);
        }
        return s;
    }

    /**
     * Tokens this generation may still produce (max tokens, the context when it cannot shift): a
     * draft longer than one less than this is never used.
     */
    public int tokensLeft() {
        if (finish != null) return 0;
        return (int) Math.min(maxTokens - generated, (long) capacity - promptTokens - generated);
    }

    /**
     * Prompt-lookup draft ({@link PromptLookup}) of up to {@code max} tokens to follow the last one
     * {@link #next} returned, cut to what this generation can still use.
     */
    public int[] draft(int max) {
        return PromptLookup.draft(history, Math.min(max, tokensLeft() - 1));
    }

    public int generatedTokens() { return generated; }

    public int promptTokens() { return promptTokens; }

    /** All text emitted so far (stop strings excluded). */
    public String text() { return text.toString(); }

    public FinishReason finishReason() { return finish; }

    /** The generated token ids (stop tokens excluded). */
    public int[] generatedIds() {
        int[] all = history.toArray();
        return java.util.Arrays.copyOfRange(all, promptTokens, all.length);
    }
}
