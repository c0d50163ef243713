package dev.codellm.core;

import java.util.List;
import java.util.Map;

/**
 * How to pick tokens and when to stop. Temperature 0 means greedy. A null seed means "random".
 * Penalties follow OpenAI's (presence, frequency) and llama.cpp's (repeat over the last N tokens).
 * {@code logitBias} (OpenAI's {@code logit_bias}) adds a value in [-100, 100] to a token id's logit
 * before anything else; -100 bans the token outright.
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
        List<String> stop,
        Map<Integer, Double> logitBias) {

    /** The bias that bans a token (OpenAI: "-100 should result in a ban"). */
    public static final double BAN = -100;

    public static final SamplingParams GREEDY =
            new SamplingParams(0.0, 1.0, 0, 0.0, 1.0, 64, 0.0, 0.0, null, 256, List.of());

    /** Without logit bias. */
    public SamplingParams(double temperature, double topP, int topK, double minP, double repeatPenalty, int repeatLastN,
                          double presencePenalty, double frequencyPenalty, Long seed, int maxTokens, List<String> stop) {
        this(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, Map.of());
    }

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("logit bias token id must be >= 0, got " + e.getKey());
            if (!(e.getValue() >= -100 && e.getValue() <= 100)) {
                throw new IllegalArgumentException("logit bias must be in [-100, 100], got " + e.getValue() + " for token " + e.getKey());
            }
        }
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (minP < 0 || minP > 1) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (maxTokens < 0) throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, logitBias);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, p, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, logitBias);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, topP, k, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, logitBias);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(temperature, topP, topK, p, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, logitBias);
    }

    public SamplingParams withPenalties(double repeat, int lastN, double presence, double frequency) {
        return new SamplingParams(temperature, topP, topK, minP, repeat, lastN, presence, frequency, seed, maxTokens, stop, logitBias);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, s, maxTokens, stop, logitBias);
    }

    public SamplingParams withMaxTokens(int n) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, n, stop, logitBias);
    }

    public SamplingParams withLogitBias(Map<Integer, Double> bias) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, stop, bias);
    }

    public SamplingParams withStop(List<String> s) {
        return new SamplingParams(temperature, topP, topK, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed, maxTokens, s, logitBias);
    }
}
