package dev.codellm.cli;

import dev.codellm.core.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Sampling and stopping options as a picocli mixin ({@code @Mixin SamplingOptions sampling;} then
 * {@code sampling.params()}). Defaults follow Code Llama's examples (temperature 0.2, top-p 0.95);
 * {@code --temperature 0} is greedy.
 */
public final class SamplingOptions {
    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.2",
            description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
            description = "Nucleus sampling: keep the most probable tokens up to mass P (default: ${DEFAULT-VALUE}; 1 = off).")
    double topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Keep only the K most probable tokens (default: ${DEFAULT-VALUE} = off).")
    int topK;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0",
            description = "Drop tokens less probable than P × the most probable (default: ${DEFAULT-VALUE} = off).")
    double minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0",
            description = "Penalise tokens seen in the last --repeat-last-n tokens (default: ${DEFAULT-VALUE} = off).")
    double repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", defaultValue = "64",
            description = "Window of the penalties, -1 = whole sequence (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--presence-penalty", paramLabel = "X", defaultValue = "0",
            description = "Subtract X from the logit of every token in the window (default: ${DEFAULT-VALUE}).")
    double presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "X", defaultValue = "0",
            description = "Subtract X per occurrence in the window (default: ${DEFAULT-VALUE}).")
    double frequencyPenalty;

    @Option(names = "--seed", paramLabel = "N",
            description = "Random seed: the same seed gives the same output (default: random).")
    Long seed;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT",
            description = "Stop before this text (repeatable; may span tokens; taken as typed unless --escape).")
    List<String> stop = new ArrayList<>();

    /** The parameters, stop strings as typed; invalid values raise an error naming the option's value. */
    public SamplingParams params() {
        return params(false);
    }

    /** The parameters; with {@code escape}, {@code --stop '\n\n'} means two newlines (see {@link TextArgs}). */
    public SamplingParams params(boolean escape) {
        List<String> stops = stop == null ? List.of() : escape ? stop.stream().map(TextArgs::unescape).toList() : List.copyOf(stop);
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty,
                seed, maxTokens, stops);
    }
}
