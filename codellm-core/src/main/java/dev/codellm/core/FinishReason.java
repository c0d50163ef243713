package dev.codellm.core;

/** Why generation ended; {@link #openAiName()} is the value of OpenAI's {@code finish_reason}. */
public enum FinishReason {
    /** EOS/EOT token or a stop string. */
    STOP("stop"),
    /** max_tokens or the context was reached. */
    LENGTH("length"),
    /** The sink asked to stop (e.g. the HTTP client went away). */
    CANCELLED("cancelled");

    private final String openAiName;

    FinishReason(String openAiName) { this.openAiName = openAiName; }

    public String openAiName() { return openAiName; }
}
