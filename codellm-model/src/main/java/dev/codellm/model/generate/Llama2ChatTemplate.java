package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama 2 / Code Llama Instruct, exactly as the reference {@code chat_completion}
 * (github.com/meta-llama/codellama, llama/generation.py) encodes a dialog:
 * a system message is folded into the first user message as
 * {@code "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + user}; every finished exchange is encoded
 * separately as {@code BOS + encode("[INST] " + user.strip() + " [/INST] " + answer.strip() + " ") + EOS};
 * the open one as {@code BOS + encode("[INST] " + user.strip() + " [/INST]")}.
 */
public final class Llama2ChatTemplate implements ChatTemplate {
    static final String B_SYS = "<<SYS>>\n";
    static final String E_SYS = "\n<</SYS>>\n\n";

    @Override
    public String name() { return "llama2"; }

    @Override
    public Prompt render(List<ChatMessage> messages, String responsePrefix) {
        ChatMessages.requireAlternating(messages, name());
        List<ChatMessage> dialog = new ArrayList<>(messages);
        String system = ChatMessages.systemOrNull(dialog);
        if (system != null) {
            dialog.remove(0);
            dialog.set(0, ChatMessage.user(B_SYS + system + E_SYS + dialog.get(0).content()));
        }
        Prompt.Builder b = Prompt.builder();
        for (int i = 0; i + 1 < dialog.size(); i += 2) {
            b.bos().text("[INST] " + dialog.get(i).content().strip() + " [/INST] " + dialog.get(i + 1).content().strip() + " ").eos();
        }
        String last = "[INST] " + dialog.get(dialog.size() - 1).content().strip() + " [/INST]";
        // The answer follows "[/INST]" after a space (as in the finished turns above).
        if (responsePrefix != null && !responsePrefix.isEmpty()) last += " " + responsePrefix;
        return b.bos().text(last).build();
    }
}
