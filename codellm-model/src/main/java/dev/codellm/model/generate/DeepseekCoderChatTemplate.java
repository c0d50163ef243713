package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.List;

/**
 * DeepSeek-Coder Instruct (its tokenizer_config.json chat template): BOS, a default system text
 * unless a system message is given, {@code "### Instruction:\n{user}\n"} and
 * {@code "### Response:\n{answer}\n<|EOT|>\n"} per turn, then {@code "### Response:\n"}.
 * The answer ends at {@code <|EOT|>}.
 */
public final class DeepseekCoderChatTemplate implements ChatTemplate {
    static final String DEFAULT_SYSTEM = "You are an AI programming assistant, utilizing the Deepseek Coder model, "
            + "developed by Deepseek Company, and you only answer questions related to computer science. "
            + "For politically sensitive questions, security and privacy issues, and other non-computer science "
            + "questions, you will refuse to answer\n";

    @Override
    public String name() { return "deepseek-coder"; }

    @Override
    public Prompt render(List<ChatMessage> messages, String responsePrefix) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        StringBuilder sb = new StringBuilder(hasSystem ? "" : DEFAULT_SYSTEM);
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case "system" -> sb.append(m.content());
                case "user" -> sb.append("### Instruction:\n").append(m.content()).append('\n');
                default -> sb.append("### Response:\n").append(m.content()).append("\n<|EOT|>\n");
            }
        }
        sb.append("### Response:\n");
        if (responsePrefix != null) sb.append(responsePrefix);
        return Prompt.builder().bos().textWithSpecials(sb.toString()).build();
    }

    @Override
    public List<String> stopStrings() { return List.of("<|EOT|>"); }

    @Override
    public List<String> stopTokens() { return List.of("<|EOT|>"); }
}
