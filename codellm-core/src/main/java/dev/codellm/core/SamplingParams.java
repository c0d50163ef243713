package dev.codellm.core;

import java.util.List;

/**
 * How to pick tokens and when to stop. Temperature 0 means greedy. A null seed means "random".
 * Penalties follow OpenAI's (presence, frequency) and llama.cpp's (repeat over the last N tokens).
 */
public record SamplingParams(
        double temperature,
        double topP,
        int topK,
        double minP,
        double repeatPenalty,
        int repeatLastN,
        double presencePenalty,
        double frequencyPenalty,
        Long seed,
        int maxTokens,
        List<String> stop) {

    public static final SamplingParams GREEDY =
            new SamplingParams(0.0, 1.0, 0, 0.0, 1.0, 64, 0.0, 0.0, null, 256, List.of());

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (minP < 0 || minP > 1) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (maxTokens < 0) throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, p, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, topP, k, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(temperature, topP, topK, p, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop);
    }

    public SamplingParams withPenalties(double repeat, int lastN, double presence, double frequency) {
        return new SamplingParams(temperature, topP, topK, minP, repeat, lastN, presence, frequency, seed, maxTokens, stop);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, s, maxTokens, stop);
    }

    public SamplingParams withMaxTokens(int n) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, n, stop);
    }

    public SamplingParams withStop(List<String> s) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, s);
    }
}
