package dev.codellm.server;

import dev.codellm.core.ChatMessage;
import java.util.List;

/** What the client asked the model to continue, before tokenization. */
public sealed interface Prompt {
    /** Plain completion of {@code text}. */
    record Text(String text) implements Prompt {}

    /** Fill-in-the-middle between {@code prefix} and {@code suffix}. */
    record Infill(String prefix, String suffix) implements Prompt {}

    /** Chat messages rendered with the model's template; a trailing assistant message is a prefill the answer continues. */
    record Chat(List<ChatMessage> messages) implements Prompt {}
}
