package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;

/** A prompt with more tokens than the context holds; front ends map it to their own error (the server's 400 context_length_exceeded). */
public final class PromptTooLongException extends CodellmException {
    private final int promptTokens;
    private final int contextLength;

    public PromptTooLongException(int promptTokens, int contextLength) {
        super("prompt is " + promptTokens + " tokens but the context holds " + contextLength + " (use a larger --ctx or a shorter prompt)");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() { return promptTokens; }

    public int contextLength() { return contextLength; }
}
