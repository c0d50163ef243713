package dev.codellm.server;

import dev.codellm.core.FinishReason;
import java.util.ArrayList;
import java.util.List;

/** What one choice produced, gathered from its events for a non-streaming answer. */
final class ChoiceResult {
    final StringBuilder text = new StringBuilder();
    final List<TokenLogprob> logprobs = new ArrayList<>();
    FinishReason finishReason;
    int promptTokens;
    int completionTokens;
}
