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

    /** Tokens the request's prompt takes here, or -1 when this generator cannot count them (a remote endpoint counts on its side). */
    default int promptTokens(GenerationRequest request) {
        return -1;
    }

    /**
     * Checks, before a job generates anything, that every prompt fits the context: a batch job
     * (an eval, a data pipeline) stops with one line naming how many do not, the longest, and
     * {@code --ctx}, instead of failing at the first one after hours. Generators that cannot count
     * tokens pass everything.
     *
     * @param what the prompts' name in the message, e.g. {@code "mbpp prompts"}
     */
    default void checkFits(java.util.List<? extends GenerationRequest> requests, String what) {
        int ctx = info().contextLength(), over = 0, longest = 0;
        for (GenerationRequest r : requests) {
            int n = promptTokens(r);
            if (n < 0) return;
            longest = Math.max(longest, n);
            if (n >= ctx) over++; // a prompt filling the whole context leaves no room for one token
        }
        if (over > 0) {
            throw new CodellmException(over + " of " + requests.size() + " " + what + " do not fit the context of " + ctx
                    + " tokens (the longest has " + longest + "): give a larger --ctx (at least " + longest + " + the tokens to generate;"
                    + " past the model's trained length quality drops unless --rope-scaling is set), or a shorter prompt style");
        }
    }

    @Override
    default void close() {}
}
