package dev.codellm.cli;

import dev.codellm.core.Generator;
import dev.codellm.core.openai.OpenAiConfig;
import dev.codellm.core.openai.OpenAiGenerator;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where {@code codellm eval}'s completions come from, as a picocli mixin: one of a local model,
 * an OpenAI-compatible endpoint, a samples file or the canonical solutions; without any of them
 * the embedded default model. {@link #openGenerator()} opens the model or endpoint.
 */
public final class EvalSourceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice = new Choice();

    static final class Choice {
        @Option(names = "--model", description = "Local GGUF model file.")
        Path model;
        @Option(names = "--endpoint", description = "OpenAI-compatible base URL, e.g. http://localhost:8080 (with --api-model).")
        String endpoint;
        @Option(names = "--samples", description = "Samples jsonl: task_id + completion (human-eval) or solution (EvalPlus).")
        Path samples;
        @Option(names = "--canonical", description = "Test the datasets' canonical solutions (harness self-check and benchmark).")
        boolean canonical;
    }

    @Option(names = "--api-model", description = "Model name sent to the endpoint.")
    String apiModel;

    @Option(names = "--api-key", description = "API key (default: $OPENAI_API_KEY).")
    String apiKey;

    @Option(names = "--ctx", defaultValue = "0",
            description = "Local model: context tokens, prompt + completion (default: ${DEFAULT-VALUE} = the model's trained length, lowered with a note when its KV cache does not fit in memory).")
    int ctx;

    @Option(names = "--lookup", paramLabel = "N", defaultValue = "0",
            description = "Local model: prompt-lookup decoding with up to N drafted tokens per step; the samples are unchanged (default: ${DEFAULT-VALUE} = off).")
    int lookup;

    @picocli.CommandLine.Mixin
    RopeOptions rope;

    /** The samples file, or null. */
    public Path samples() { return choice == null ? null : choice.samples; }

    public boolean canonical() { return choice != null && choice.canonical; }

    /** The endpoint (with --api-model) or the local model, else the embedded default model. */
    public Generator openGenerator() {
        if (choice != null && choice.endpoint != null) {
            if (apiModel == null) throw new ParameterException(spec.commandLine(), "--endpoint needs --api-model");
            OpenAiConfig c = OpenAiConfig.of(choice.endpoint, apiModel);
            if (apiKey != null) c = c.withApiKey(apiKey);
            return new OpenAiGenerator(c);
        }
        Path model = choice != null && choice.model != null ? choice.model : DefaultModelFile.path();
        GeneratorOptions d = GeneratorOptions.DEFAULT;
        if (lookup < 0) throw new ParameterException(spec.commandLine(), "--lookup must be >= 0, got " + lookup);
        LocalGenerator g = LocalGenerator.open(model, new GeneratorOptions(ctx, d.kvType(), d.template(), d.infillFormat(), d.threads())
                .withRope(rope.overrides()));
        g.setLookup(lookup);
        return g;
    }
}
