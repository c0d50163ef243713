package dev.codellm.eval.run;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.gen.Sanitizer;

/** Asks a {@link Generator} for one sample of a task in the chosen prompt style. */
public final class SampleGenerator {
    private final Generator generator;
    private final DatasetId dataset;
    private final PromptStyle style;
    private final boolean sanitize;
    private final SamplingParams base;
    private final Long seed;

    /** @param style the resolved prompt style (not null) */
    public SampleGenerator(Generator generator, DatasetId dataset, PromptStyle style, EvalOptions o) {
        this.generator = generator;
        this.dataset = dataset;
        this.style = style;
        this.sanitize = o.sanitize();
        this.seed = o.seed();
        this.base = SamplingParams.GREEDY.withTemperature(o.temperature()).withTopP(o.temperature() > 0 ? 0.95 : 1.0)
                .withMaxTokens(o.maxTokens()).withStop(style.stops(dataset));
    }

    public SampleRecord generate(Task task, int completionId) {
        SamplingParams p = seed == null ? base : base.withSeed(seed + completionId);
        String completion, program;
        switch (style) {
            case INSTRUCT -> {
                Completion c = generator.chat(new ChatRequest(PromptStyle.instructMessages(task.instruction()), p), TokenSink.NONE);
                completion = c.text();
                program = PromptStyle.RESPONSE_PREFIX + completion;
            }
            case MBPP_3SHOT -> {
                completion = generator.complete(CompletionRequest.of(task.prompt(), p), TokenSink.NONE).text();
                program = completion;
            }
            default -> {
                completion = generator.complete(CompletionRequest.of(task.prompt(), p), TokenSink.NONE).text();
                program = task.prompt() + completion;
            }
        }
        // Instruct answers are markdown by construction; completions are code already.
        String solution = sanitize || style == PromptStyle.INSTRUCT ? Sanitizer.sanitize(program, task.entryPoint()) : program;
        return new SampleRecord(task.taskId(), completionId, completion, solution);
    }
}
