package dev.codellm.core;

/**
 * What a {@link Generator} is asked to do: a completion (or infill) or a chat. The one request
 * model every front end uses: the CLI, eval and data build these records, and the server parses
 * its HTTP bodies into them before planning them on the engine.
 */
public sealed interface GenerationRequest permits CompletionRequest, ChatRequest {
    SamplingParams sampling();

    /** The same request sampled differently (the server's {@code n} choices each get their own seed). */
    GenerationRequest withSampling(SamplingParams sampling);
}
