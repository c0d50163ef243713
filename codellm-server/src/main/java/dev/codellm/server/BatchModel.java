package dev.codellm.server;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import java.util.List;

/**
 * What the continuous-batching {@link BatchScheduler} needs from a model: a tokenizer, prompt
 * formats, per-request samplers and text decoders, and sequences (one KV cache each) that are
 * prefilled one at a time and then decoded together, one token per sequence per step.
 * Implemented over the real engine by {@code EngineBatchModel} and by fakes in tests.
 */
public interface BatchModel extends AutoCloseable {

    ModelInfo info();

    /** Tokenizes text (no template); {@code addBos} prepends BOS, {@code parseSpecial} reads control tokens. */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** Text of a token sequence as the tokenizer decodes it. */
    String decode(int[] tokens);

    /** Text of one token on its own (for logprobs and /tokenize pieces). */
    String piece(int token);

    /** Token ids of a plain completion prompt (BOS + text). */
    int[] completionPrompt(String prompt);

    /** Token ids of a fill-in-the-middle prompt; throws {@link ApiError} if the model has no FIM tokens. */
    int[] infillPrompt(String prefix, String suffix);

    /** Token ids of a chat rendered with the model's template, optionally primed with the answer's start. */
    int[] chatPrompt(List<ChatMessage> messages, String responsePrefix);

    /** True for EOS/EOT-like tokens that end a generation. */
    boolean isEndOfGeneration(int token);

    /** A fresh sampler for one request (own random state from the seed). */
    TokenSampler sampler(SamplingParams params);

    /** A fresh streaming decoder that only releases complete UTF-8 text. */
    TextDecoder textDecoder();

    /** A new empty sequence able to hold {@code info().contextLength()} tokens. */
    Sequence newSequence();

    /** Runs the prompt through {@code seq} (batched over its tokens); returns the last position's logits. */
    float[] prefill(Sequence seq, int[] tokens);

    /** Appends {@code tokens[i]} to {@code seqs[i]} for all i in one step; returns each one's next logits. */
    float[][] decode(Sequence[] seqs, int[] tokens);

    @Override
    default void close() {}

    /** One request's KV cache. */
    interface Sequence {
        /** Frees or recycles the cache; called once when the request ends. */
        default void release() {}
    }

    /** Picks the next token from logits, given the tokens generated so far (for penalties). */
    interface TokenSampler {
        int sample(float[] logits);

        /** Told every token that enters the sequence (prompt and generated) for penalty bookkeeping. */
        default void accept(int token) {}
    }

    /** Turns tokens into text, holding back incomplete UTF-8 sequences. */
    interface TextDecoder {
        String push(int token);

        /** Whatever is still held back at the end (replacement chars for broken UTF-8). */
        default String flush() { return ""; }
    }
}
