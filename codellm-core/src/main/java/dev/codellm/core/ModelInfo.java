package dev.codellm.core;

/**
 * What a caller may want to know about a model before using it.
 *
 * @param name           model name as reported to users (and as the OpenAI {@code model} field)
 * @param contextLength  maximum tokens of prompt + completion
 * @param supportsInfill whether {@link CompletionRequest#suffix()} is honoured (FIM tokens exist)
 * @param chatTemplate   name of the chat template in use (e.g. {@code llama2}), or null if none
 */
public record ModelInfo(String name, int contextLength, boolean supportsInfill, String chatTemplate) {}
