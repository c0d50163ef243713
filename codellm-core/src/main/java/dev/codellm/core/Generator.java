package dev.codellm.core;

/**
 * The one seam between "a model" and everything that uses it (eval, data, server, CLI).
 * Implemented by the local engine, by the OpenAI-compatible HTTP client, and by test doubles.
 */
public interface Generator extends AutoCloseable {

    /** Name, context length, chat template and whether fill-in-the-middle is supported. */
    ModelInfo info();

    /** Plain completion, or infill when {@link CompletionRequest#suffix()} is non-null. */
    Completion complete(CompletionRequest request, TokenSink sink);

    /** Chat: messages are rendered with the model's chat template, then completed. */
    Completion chat(ChatRequest request, TokenSink sink);

    /** Runs either kind of request (dispatches to {@link #complete} or {@link #chat}). */
    default Completion generate(GenerationRequest request, TokenSink sink) {
        // an if chain, not a pattern switch: core compiles for Java 17 (the Spark module runs there)
        if (request instanceof CompletionRequest c) return complete(c, sink);
        return chat((ChatRequest) request, sink);
    }

    @Override
    default void close() {}
}
