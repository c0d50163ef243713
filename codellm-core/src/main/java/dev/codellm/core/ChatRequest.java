package dev.codellm.core;

import java.util.List;

/**
 * A chat request. A trailing {@code assistant} message is a prefill: the answer continues it (as
 * llama-server and Hugging Face's {@code continue_final_message} do), e.g. EvalPlus's
 * {@code "```python\n"} priming; the returned text is what follows it. Every implementation of
 * {@link Generator#chat} reads it so: the local engine renders it into the prompt, the HTTP client
 * sends the messages as they are.
 */
public record ChatRequest(List<ChatMessage> messages, SamplingParams sampling) implements GenerationRequest {
    public ChatRequest {
        if (messages == null || messages.isEmpty()) throw new IllegalArgumentException("chat request needs at least one message");
        messages = List.copyOf(messages);
        if (sampling == null) sampling = SamplingParams.GREEDY;
    }

    @Override
    public ChatRequest withSampling(SamplingParams s) {
        return new ChatRequest(messages, s);
    }

    public static ChatRequest of(List<ChatMessage> messages, SamplingParams sampling) {
        return new ChatRequest(messages, sampling);
    }

    /** The content of a trailing assistant message the answer continues, or null. */
    public String prefill() {
        ChatMessage last = messages.get(messages.size() - 1);
        return last.role().equals("assistant") ? last.content() : null;
    }
}
