package dev.codellm.model.generate;

import dev.codellm.core.ChatMessage;
import java.util.List;

/** Role checks shared by the chat templates, failing with a message that names the problem. */
final class ChatMessages {
    private ChatMessages() {}

    /**
     * Checks the usual shape: an optional leading system message, then user/assistant turns
     * alternating, starting with user and ending with user.
     */
    static void requireAlternating(List<ChatMessage> messages, String template) {
        int start = !messages.isEmpty() && messages.get(0).role().equals("system") ? 1 : 0;
        if (start == messages.size()) throw new IllegalArgumentException("chat needs a user message after the system message");
        for (int i = start; i < messages.size(); i++) {
            String want = (i - start) % 2 == 0 ? "user" : "assistant";
            String role = messages.get(i).role();
            if (!role.equals(want)) {
                throw new IllegalArgumentException("chat template " + template + " expects roles system?, user, assistant, user, ... alternating; message "
                        + (i + 1) + " has role '" + role + "' where '" + want + "' was expected");
            }
        }
        if (!messages.get(messages.size() - 1).role().equals("user")) {
            throw new IllegalArgumentException("the last chat message must be from the user");
        }
    }

    static String systemOrNull(List<ChatMessage> messages) {
        return messages.get(0).role().equals("system") ? messages.get(0).content() : null;
    }
}
