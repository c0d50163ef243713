package dev.codellm.core;

/**
 * Receives generated text as it is produced (already detokenized, stop strings held back).
 * Returning false asks the generator to stop; it then finishes with {@link FinishReason#CANCELLED}.
 */
@FunctionalInterface
public interface TokenSink {
    TokenSink NONE = text -> true;

    boolean accept(String text);
}
