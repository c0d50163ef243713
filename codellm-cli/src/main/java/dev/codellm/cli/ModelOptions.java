package dev.codellm.cli;

import dev.codellm.model.generate.ContextShift;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.model.generate.LocalGenerator;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which model to run and how to set it up; a picocli mixin shared by complete/infill/chat (and
 * usable by eval and serve): {@code @Mixin ModelOptions model;} then {@code model.open()}.
 */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model file (default: the model bundled with codellm).")
    Path model;

    @Option(names = "--ctx", paramLabel = "N",
            description = "Context length in tokens, prompt + completion (default: the model's trained length, lowered with a note when its KV cache does not fit in memory).")
    int contextLength;

    @Option(names = "--kv-type", paramLabel = "f16|f32|q8_0|q4_0", defaultValue = "f16",
            description = "KV-cache element type, as llama.cpp's -ctk/-ctv (default: ${DEFAULT-VALUE}; q8_0 takes 53 %% of f16's memory).")
    String kvType;

    @Option(names = "--template", paramLabel = "NAME",
            description = "Chat template: llama2, magicoder, chatml, deepseek-coder (default: from the GGUF, else llama2).")
    String template;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "Worker threads for the forward pass (default: all processors).")
    int threads;

    @Mixin
    RopeOptions rope;

    @Option(names = "--context-shift",
            description = "At the end of the context go on as llama-server does: keep the first --keep tokens (and BOS), drop the oldest half of the rest, shift the KV cache (RoPE re-applied); a prompt over the context is cut the same way. Default: stop with finish reason length.")
    boolean contextShift;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "0",
            description = "With --context-shift: prompt tokens always kept at the start, besides BOS; -1 keeps the whole prompt (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--lookup", paramLabel = "N", defaultValue = "0",
            description = "Prompt-lookup decoding: draft up to N tokens per step from an earlier occurrence of the last 1-3 tokens in prompt + output and verify them in one batched pass; the output is unchanged (default: ${DEFAULT-VALUE} = off).")
    int lookup;

    /** Drafted tokens per step of prompt-lookup decoding ({@code --lookup}); 0 = off. */
    public int lookup() {
        if (lookup < 0) throw new IllegalArgumentException("--lookup must be >= 0, got " + lookup);
        return lookup;
    }

    /** The model file to open: {@code --model}, else the bundled default (extracted on first use). */
    public Path modelPath() {
        return model != null ? model : DefaultModelFile.path();
    }

    public GeneratorOptions options(InfillFormat infillFormat) {
        if (!contextShift && keep != 0) throw new IllegalArgumentException("--keep needs --context-shift");
        return new GeneratorOptions(contextLength, kvType, template, infillFormat, threads).withRope(rope.overrides())
                .withContextShift(contextShift ? ContextShift.keeping(keep) : ContextShift.OFF);
    }

    public LocalGenerator open() {
        return open(InfillFormat.PSM);
    }

    public LocalGenerator open(InfillFormat infillFormat) {
        int n = lookup();
        LocalGenerator g = LocalGenerator.open(modelPath(), options(infillFormat));
        g.setLookup(n);
        return g;
    }
}
