package dev.codellm.model.generate;

import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatMessage;
import java.util.List;

/** The turn order every chat template is given, checked before rendering with a message that names the problem. */
final class ChatMessages {
    private ChatMessages() {}

    /**
     * An optional leading system message, then user/assistant turns alternating, starting with
     * user. The last turn is the user's (the answer follows) or the assistant's (a prefill the
     * answer continues; in training data, the answer itself). Anything else is a
     * {@link BadRequestException} on {@code messages}.
     */
    static void requireValidOrder(List<ChatMessage> messages, String template) {
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).role();
            if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                throw new BadRequestException("message " + (i + 1) + " has role '" + role + "' (expected system, user or assistant)", "messages");
            }
        }
        int start = !messages.isEmpty() && messages.get(0).role().equals("system") ? 1 : 0;
        if (start == messages.size()) throw new BadRequestException("chat needs a user message after the system message", "messages");
        for (int i = start; i < messages.size(); i++) {
            String want = (i - start) % 2 == 0 ? "user" : "assistant";
            String role = messages.get(i).role();
            if (!role.equals(want)) {
                throw new BadRequestException("chat template " + template + " expects roles system?, user, assistant, user, ... alternating; message "
                        + (i + 1) + " has role '" + role + "' where '" + want + "' was expected", "messages");
            }
        }
    }
}
