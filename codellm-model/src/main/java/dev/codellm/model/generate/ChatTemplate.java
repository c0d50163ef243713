package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.List;

/**
 * Turns chat messages into a {@link Prompt} the way one model family was trained to read them.
 * Implementations: {@link Llama2ChatTemplate} ({@code llama2}, Code Llama Instruct),
 * {@link MagicoderChatTemplate}, {@link ChatMlTemplate}, {@link DeepseekCoderChatTemplate};
 * {@link ChatTemplates} picks one by name or from GGUF metadata.
 */
public interface ChatTemplate {
    /** Short name used by {@code --template} and reported in {@code ModelInfo}. */
    String name();

    /**
     * The prompt for the assistant's next answer. {@code responsePrefix} (may be null) is placed
     * where the answer begins, as if the assistant had already written it.
     */
    Prompt render(List<ChatMessage> messages, String responsePrefix);

    /**
     * Texts that end the answer besides the EOS/EOT tokens, for templates whose turn terminator
     * may come out as text (e.g. {@code <|im_end|>} in a vocabulary without that special token).
     */
    default List<String> stopStrings() { return List.of(); }

    /** Special-token names (looked up in the vocabulary) that end the answer, e.g. {@code <|im_end|>}. */
    default List<String> stopTokens() { return List.of(); }
}
