package dev.codellm.core;

/** The result of one generation: the text (stop string excluded), why it ended, token counts. */
public record Completion(String text, FinishReason finishReason, Usage usage) {}
