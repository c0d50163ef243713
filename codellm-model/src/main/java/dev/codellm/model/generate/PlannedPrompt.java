package dev.codellm.model.generate;

import dev.codellm.core.SamplingParams;
import java.util.List;
import java.util.Set;

/**
 * A request turned into what the engine runs: its prompt ids and the stop rules of its mode
 * (infill ends at {@code <EOT>}, a chat at its template's turn end). Independent of sampling, so
 * one plan serves all the choices of a request: {@link #newState} makes each choice's
 * token-by-token {@link GenerationState} with its own sampler.
 */
public final class PlannedPrompt {
    private final TokenCodec codec;
    private final int[] promptIds;
    private final int capacity;
    private final Set<Integer> stopIds;
    private final List<String> stopStrings;
    private final boolean stripLeadingSpace;
    private final int shiftKeep;
    private final boolean truncated;

    PlannedPrompt(TokenCodec codec, int[] promptIds, int capacity, Set<Integer> stopIds, List<String> stopStrings, boolean stripLeadingSpace,
                  int shiftKeep, boolean truncated) {
        this.shiftKeep = shiftKeep;
        this.truncated = truncated;
        this.codec = codec;
        this.promptIds = promptIds;
        this.capacity = capacity;
        this.stopIds = Set.copyOf(stopIds);
        this.stopStrings = List.copyOf(stopStrings);
        this.stripLeadingSpace = stripLeadingSpace;
    }

    /** The prompt's token ids (callers must not modify them). */
    public int[] promptIds() { return promptIds; }

    /** Tokens kept at the start when the context shifts, or -1 when it does not (generation stops at the end of the context). */
    public int shiftKeep() { return shiftKeep; }

    /** Whether the prompt was longer than the context and cut (context shift on). */
    public boolean truncated() { return truncated; }

    /** Fresh state for one generation after this prompt: feed {@link #promptIds()}, then call {@code next(logits)}. */
    public GenerationState newState(SamplingParams sampling) {
        return new GenerationState(codec, sampling, promptIds, capacity, stopIds, stopStrings, stripLeadingSpace);
    }
}
