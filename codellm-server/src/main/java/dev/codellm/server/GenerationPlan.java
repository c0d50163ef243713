package dev.codellm.server;

import dev.codellm.core.GenerationRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.PlannedPrompt;
import java.util.List;

/**
 * A parsed generation request: the prompts, how many choices per prompt, sampling, and the
 * response options that do not change what the model does.
 *
 * @param prompts       each prompt as core's request, its plan (null if the backend plans itself) and its echo text
 * @param topLogprobs   -1 for none, else alternatives per token
 * @param includeUsage  stream_options.include_usage
 * @param model         the model name answers carry
 */
record GenerationPlan(List<PromptEntry> prompts, int n, SamplingParams sampling, int topLogprobs,
                      boolean stream, boolean includeUsage, boolean echo, String model) {

    record PromptEntry(GenerationRequest request, PlannedPrompt plan, String text) {}

    /** Sampling for choice {@code i} of a prompt: a fixed seed is offset so choices differ but stay reproducible. */
    SamplingParams samplingFor(int i) {
        return sampling.seed() == null || i == 0 ? sampling : sampling.withSeed(sampling.seed() + i);
    }
}
