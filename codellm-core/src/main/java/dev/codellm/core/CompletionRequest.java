package dev.codellm.core;

/**
 * A completion request. With a non-null {@code suffix} it is fill-in-the-middle: the model
 * generates what goes between {@code prompt} (the prefix) and {@code suffix}.
 */
public record CompletionRequest(String prompt, String suffix, SamplingParams sampling) implements GenerationRequest {
    public CompletionRequest {
        if (prompt == null) throw new IllegalArgumentException("prompt must not be null");
        if (sampling == null) sampling = SamplingParams.GREEDY;
    }

    public static CompletionRequest of(String prompt, SamplingParams sampling) {
        return new CompletionRequest(prompt, null, sampling);
    }

    public boolean isInfill() {
        return suffix != null;
    }

    @Override
    public CompletionRequest withSampling(SamplingParams s) {
        return new CompletionRequest(prompt, suffix, s);
    }
}
