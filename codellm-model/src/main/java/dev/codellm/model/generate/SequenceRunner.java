package dev.codellm.model.generate;

/**
 * Runs one sequence through a model for {@link LocalGenerator}, reused from request to request:
 * {@link #start} feeds a prompt (an implementation may keep the cache of a prefix shared with the
 * previous prompt, so a chat's next turn only processes the new text), {@link #append} feeds one
 * generated token. Both return the logits after the last token.
 * {@link EngineSequenceRunner} runs the engine; tests use fakes.
 */
public interface SequenceRunner extends AutoCloseable {
    /** Tokens the sequence can hold (prompt + generated). */
    int capacity();

    /** Restarts the sequence with {@code prompt} (non-empty, at most {@link #capacity()} tokens). */
    float[] start(int[] prompt);

    float[] append(int token);

    /**
     * Appends {@code tokens} in one batched pass and returns the logits after each of them (a
     * pending token and the drafts of prompt-lookup decoding); null when this sequence cannot, and
     * the caller then feeds one token at a time.
     */
    default float[][] appendAll(int[] tokens) {
        return null;
    }

    /** Forgets the tokens from {@code position} on (drafts found wrong); only after {@link #appendAll}. */
    default void truncate(int position) {
        throw new UnsupportedOperationException("this sequence cannot take tokens back");
    }

    /** Context shift: drops tokens [keep, keep + discard) and moves the rest down (see {@link ContextShift}). */
    default void shift(int keep, int discard) {
        throw new UnsupportedOperationException("this sequence cannot shift its context");
    }

    @Override
    default void close() {}
}
