package dev.codellm.cli;

import dev.codellm.model.llama.RopeOverrides;
import picocli.CommandLine.Option;

/** llama.cpp's RoPE flags, over the GGUF's settings (for running beyond the trained length); a picocli mixin. */
public final class RopeOptions {
    @Option(names = "--rope-freq-base", paramLabel = "THETA", description = "RoPE base frequency (default: the file's llama.rope.freq_base).")
    Float freqBase;

    @Option(names = "--rope-scaling", paramLabel = "none|linear|yarn", description = "RoPE scaling type (default: the file's).")
    String scaling;

    @Option(names = "--rope-scale", paramLabel = "N", description = "RoPE context scaling factor: positions run N times slower (default: the file's).")
    Float scale;

    @Option(names = "--yarn-orig-ctx", paramLabel = "N", description = "YaRN's original context length (default: the file's, else the trained length).")
    Integer yarnOrigCtx;

    RopeOverrides overrides() {
        return new RopeOverrides(freqBase, RopeOverrides.parseScaling(scaling), scale, yarnOrigCtx);
    }
}
