package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.RequestPlanner;

/**
 * What the continuous-batching {@link BatchScheduler} needs from a model: a tokenizer (for
 * /tokenize, logprobs and logit_bias checks), the model module's {@link RequestPlanner} (prompt
 * ids and stop rules of each request), and sequences (one KV cache each) that advance together
 * in one {@link #step}: the running ones a token each, the new ones a chunk of their prompt.
 * {@link EngineBatchBackend} runs the real engine; tests use a fake.
 */
public interface BatchBackend extends AutoCloseable {

    ModelInfo info();

    /** Plans requests into prompt ids and per-choice generation state. */
    RequestPlanner planner();

    /** Tokenizes text (no template); {@code addBos} prepends BOS, {@code parseSpecial} reads control tokens. */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** Text of a token sequence as the tokenizer decodes it; throws on ids outside the vocabulary. */
    String decode(int[] tokens);

    /** Text of one token on its own (for logprobs and /tokenize pieces). */
    String piece(int token);

    /** Token ids are 0 to vocabSize - 1 (checked for logit_bias). */
    int vocabSize();

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

    /**
     * Whether {@link #decodeRuns} and {@link #truncate} work: prompt-lookup decoding
     * ({@code --lookup}) verifies drafted tokens with them.
     */
    default boolean verifiesDrafts() { return false; }

    /**
     * Appends the run {@code tokens[i]} (a pending token and its drafts) to {@code seqs[i]} for
     * all i in one step; returns the logits after each token of each run.
     */
    default float[][][] decodeRuns(Sequence[] seqs, int[][] tokens) {
        throw new UnsupportedOperationException("this backend cannot verify drafts");
    }

    /** Forgets the tokens of {@code seq} from {@code position} on (drafts found wrong). */
    default void truncate(Sequence seq, int position) {
        throw new UnsupportedOperationException("this backend cannot take tokens back");
    }

    /**
     * One engine pass for several distinct sequences, each appending its own {@code tokens[i]}: a
     * running slot's next token, or a chunk of a prompt being read (the scheduler's mixed step,
     * llama-server's unified batch). Returns each one's logits after its last token, null where
     * {@code wantLogits[i]} is false (a prompt chunk that is not the prompt's last).
     */
    float[][] step(Sequence[] seqs, int[][] tokens, boolean[] wantLogits);

    /**
     * Context shift: drops tokens [keep, keep + discard) of {@code seq} and moves the rest down
     * (the model module's {@code ContextShift}); only called when the server runs with it.
     */
    default void shift(Sequence seq, int keep, int discard) {
        throw new UnsupportedOperationException("this backend cannot shift a context");
    }

    /** Embeddings of this model, or null when it offers none. */
    default Embeddings embeddings() { return null; }

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
