package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.GenerationState;

/**
 * What the continuous-batching {@link BatchScheduler} needs from a model: a tokenizer, prompt
 * formats, per-request generation state (the generation module's {@link GenerationState}:
 * sampling, stop tokens and strings, streaming UTF-8 decoding, limits), and sequences (one KV
 * cache each) that are prefilled one at a time and then decoded together, one token per sequence
 * per step. {@link EngineBatchModel} runs the real engine; tests use a fake.
 */
public interface BatchModel extends AutoCloseable {

    ModelInfo info();

    /** Tokenizes text (no template); {@code addBos} prepends BOS, {@code parseSpecial} reads control tokens. */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** Text of a token sequence as the tokenizer decodes it; throws on ids outside the vocabulary. */
    String decode(int[] tokens);

    /** Text of one token on its own (for logprobs and /tokenize pieces). */
    String piece(int token);

    /** Token ids are 0 to vocabSize - 1 (checked for logit_bias). */
    int vocabSize();

    /** The token ids a prompt runs as: BOS + text, the infill format, or the chat template. */
    int[] promptTokens(Prompt prompt);

    /** Fresh token-by-token state for one request (its own sampler seeded from {@code params}). */
    GenerationState newGeneration(Prompt prompt, int[] promptTokens, SamplingParams params);

    /**
     * A sequence able to hold {@code info().contextLength()} tokens, about to run {@code prompt}. It
     * may come with the cache of a prefix of {@code prompt} already computed (a recycled sequence
     * that ran a prompt starting the same way), see {@link Sequence#cachedTokens()}.
     */
    Sequence newSequence(int[] prompt);

    /** Appends tokens to {@code seq} (batched over them); returns the last position's logits. */
    float[] prefill(Sequence seq, int[] tokens);

    /** Appends {@code tokens[i]} to {@code seqs[i]} for all i in one step; returns each one's next logits. */
    float[][] decode(Sequence[] seqs, int[] tokens);

    @Override
    default void close() {}

    /** One request's KV cache. */
    interface Sequence {
        /** Leading prompt tokens already in the cache (always less than the prompt's length). */
        default int cachedTokens() { return 0; }

        /** Frees or recycles the cache; called once when the request ends. */
        default void release() {}
    }
}
