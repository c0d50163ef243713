package dev.codellm.model.generate;

import dev.codellm.model.generate.PromptPart.FimToken;
import java.util.OptionalInt;

/**
 * What generation needs from a tokenizer. {@link TokenizerCodec} adapts the project's
 * {@code Tokenizer}; tests use small fakes.
 */
public interface TokenCodec {
    /** Encodes one fresh string without BOS (a SentencePiece tokenizer adds its dummy-prefix space). */
    int[] encode(String text, boolean parseSpecial);

    int vocabSize();

    int bos();

    int eos();

    /** Whether the model expects BOS at the start of a prompt ({@code tokenizer.ggml.add_bos_token}). */
    default boolean addsBos() { return true; }

    /** The id of a special/control token spelled {@code name} (e.g. {@code <|im_end|>}), if any. */
    OptionalInt specialId(String name);

    /** A Code Llama fill-in-the-middle token id, if the vocabulary has it. */
    OptionalInt fim(FimToken token);

    /** EOS, EOT and other tokens that end generation in every mode. */
    boolean isEndOfGeneration(int id);

    /** The token's text when decoded on its own (for tests and for {@code --ids} output). */
    String piece(int id);

    /** The bytes the token stands for (a character may span several byte tokens). */
    default byte[] pieceBytes(int id) { return piece(id).getBytes(java.nio.charset.StandardCharsets.UTF_8); }

    /** A decoder for one generated stream that emits only complete UTF-8 text. */
    TextDecoder newDecoder();

    /** Turns a stream of generated token ids into text pieces. */
    interface TextDecoder {
        /** Text completed by this token (may be empty while a UTF-8 sequence is incomplete). */
        String accept(int id);

        /** Whatever is still buffered at the end of the stream. */
        String flush();
    }
}
