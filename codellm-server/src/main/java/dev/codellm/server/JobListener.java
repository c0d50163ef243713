package dev.codellm.server;

import dev.codellm.core.FinishReason;

/**
 * Receives one generation's events. Called from the scheduler thread, so implementations must
 * not block (the HTTP handlers hand events to their own thread through a queue).
 */
public interface JobListener {
    /** Released text (may be empty while a stop-string prefix is held back) and, if asked for, logprobs. */
    void onToken(String text, TokenLogprob logprob);

    /** The generation ended normally, by a stop condition, a limit, or cancellation. */
    void onFinish(FinishReason reason, int promptTokens, int completionTokens);

    /** The generation failed; {@code error} is usually an {@link ApiError}. */
    void onError(RuntimeException error);
}
