package dev.codellm.core;

import java.util.List;

/**
 * A chat request. {@code responsePrefix}, when non-null, is appended after the rendered
 * template as the start of the assistant's answer (EvalPlus-style "```python\n" priming).
 */
public record ChatRequest(List<ChatMessage> messages, String responsePrefix, SamplingParams sampling) implements GenerationRequest {
    public ChatRequest {
        if (messages == null || messages.isEmpty()) throw new IllegalArgumentException("chat request needs at least one message");
        messages = List.copyOf(messages);
        if (sampling == null) sampling = SamplingParams.GREEDY;
    }

    @Override
    public ChatRequest withSampling(SamplingParams s) {
        return new ChatRequest(messages, responsePrefix, s);
    }

    public static ChatRequest of(List<ChatMessage> messages, SamplingParams sampling) {
        return new ChatRequest(messages, null, sampling);
    }
}
