package dev.codellm.core;

/** Token accounting, as in OpenAI's {@code usage} object. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() { return promptTokens + completionTokens; }
}
