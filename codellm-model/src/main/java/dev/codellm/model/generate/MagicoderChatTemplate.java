package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.List;

/**
 * Magicoder's inference prompt (github.com/ise-uiuc/magicoder README, also used by EvalPlus):
 * {@code <s>} + system preamble + {@code "\n\n@@ Instruction\n{instruction}\n\n@@ Response\n"}.
 * The model defines no multi-turn format; earlier turns are written as further
 * Instruction/Response sections, answers closed by EOS as in its fine-tuning data.
 */
public final class MagicoderChatTemplate implements ChatTemplate {
    static final String DEFAULT_SYSTEM = "You are an exceptionally intelligent coding assistant that consistently "
            + "delivers accurate and reliable responses to user instructions.";

    @Override
    public String name() { return "magicoder"; }

    @Override
    public Prompt render(List<ChatMessage> messages, String responsePrefix) {
        ChatMessages.requireAlternating(messages, name());
        String system = ChatMessages.systemOrNull(messages);
        StringBuilder sb = new StringBuilder(system != null ? system : DEFAULT_SYSTEM);
        Prompt.Builder b = Prompt.builder().bos();
        for (int i = system != null ? 1 : 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("user")) {
                // The first section follows the preamble after a blank line; later ones open a new segment.
                if (!sb.isEmpty()) sb.append("\n\n");
                sb.append("@@ Instruction\n").append(m.content()).append("\n\n@@ Response\n");
            } else {
                b.text(sb.append(m.content()).toString()).eos();
                sb.setLength(0);
            }
        }
        if (responsePrefix != null) sb.append(responsePrefix);
        return b.text(sb.toString()).build();
    }
}
