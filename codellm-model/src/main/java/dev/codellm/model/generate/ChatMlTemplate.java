package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.List;

/**
 * ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n} per message, then
 * {@code <|im_start|>assistant\n}; the answer ends at {@code <|im_end|>}. The markers are parsed
 * as special tokens when the vocabulary has them, and also watched for as stop text.
 */
public final class ChatMlTemplate implements ChatTemplate {
    @Override
    public String name() { return "chatml"; }

    @Override
    public Prompt render(List<ChatMessage> messages, String responsePrefix) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        sb.append("<|im_start|>assistant\n");
        if (responsePrefix != null) sb.append(responsePrefix);
        return Prompt.builder().textWithSpecials(sb.toString()).build();
    }

    @Override
    public List<String> stopStrings() { return List.of("<|im_end|>"); }

    @Override
    public List<String> stopTokens() { return List.of("<|im_end|>"); }
}
