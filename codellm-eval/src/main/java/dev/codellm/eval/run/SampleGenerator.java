package dev.codellm.eval.run;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.GenerationRequest;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.gen.Sanitizer;
import java.util.Collection;

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

    /** What the model is asked for sample {@code completionId} of a task. */
    public GenerationRequest request(Task task, int completionId) {
        SamplingParams p = seed == null ? base : base.withSeed(seed + completionId);
        return style == PromptStyle.INSTRUCT
                ? new ChatRequest(PromptStyle.instructMessages(task.instruction()), p)
                : CompletionRequest.of(task.prompt(), p);
    }

    /** Stops before anything is generated when a task's prompt does not fit the model's context ({@link Generator#checkFits}). */
    public void checkFits(Collection<Task> tasks, String benchmark) {
        generator.checkFits(tasks.stream().map(t -> request(t, 0)).toList(), benchmark + " prompts (" + style.cliName() + " style)");
    }

    public SampleRecord generate(Task task, int completionId) {
        String completion = generator.generate(request(task, completionId), TokenSink.NONE).text();
        String program = switch (style) {
            case INSTRUCT -> PromptStyle.RESPONSE_PREFIX + completion;
            case MBPP_3SHOT -> completion;
            default -> task.prompt() + completion;
        };
        // Instruct answers are markdown by construction; completions are code already.
        String solution = sanitize || style == PromptStyle.INSTRUCT ? Sanitizer.sanitize(program, task.entryPoint()) : program;
        return new SampleRecord(task.taskId(), completionId, completion, solution);
    }
}
