package dev.codellm.model.generate;

import dev.codellm.model.llama.RopeOverrides;

/**
 * How {@link LocalGenerator#open} sets a model up.
 *
 * @param contextLength tokens per sequence (prompt + completion); 0 = the model's trained length,
 *                      lowered when its KV caches would not fit in memory ({@link KvBudget})
 * @param kvType        KV-cache element type, {@code f16}, {@code f32}, {@code q8_0} or {@code q4_0} ({@link dev.codellm.model.llama.KvType})
 * @param template      chat template name, or null to take it from the GGUF / default to llama2
 * @param infillFormat  PSM (default) or SPM
 * @param threads       worker threads for the forward pass; 0 = the engine's choice
 * @param slots         sequences that each get a KV cache of {@code contextLength} (the server's
 *                      --parallel; 1 elsewhere), for the memory check before allocating
 * @param rope          RoPE settings over the file's (--rope-freq-base, --rope-scaling, ...)
 * @param contextShift  what happens at the end of the context (--context-shift, --keep); off by default
 */
public record GeneratorOptions(int contextLength, String kvType, String template, InfillFormat infillFormat, int threads, int slots,
                               RopeOverrides rope, ContextShift contextShift) {
    public static final GeneratorOptions DEFAULT = new GeneratorOptions(0, "f16", null, InfillFormat.PSM, 0);

    /** One sequence at a time (complete, infill, chat, eval). */
    public GeneratorOptions(int contextLength, String kvType, String template, InfillFormat infillFormat, int threads) {
        this(contextLength, kvType, template, infillFormat, threads, 1, RopeOverrides.NONE, ContextShift.OFF);
    }

    /** The same options for {@code n} slots, each with its own KV cache. */
    public GeneratorOptions withSlots(int n) {
        return new GeneratorOptions(contextLength, kvType, template, infillFormat, threads, n, rope, contextShift);
    }

    /** The same options with RoPE settings over the file's. */
    public GeneratorOptions withRope(RopeOverrides r) {
        return new GeneratorOptions(contextLength, kvType, template, infillFormat, threads, slots, r, contextShift);
    }

    /** The same options with context shift on or off ({@link ContextShift}). */
    public GeneratorOptions withContextShift(ContextShift shift) {
        return new GeneratorOptions(contextLength, kvType, template, infillFormat, threads, slots, rope, shift);
    }

    public GeneratorOptions {
        if (contextLength < 0) throw new IllegalArgumentException("context length must be >= 0, got " + contextLength);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        if (kvType == null) kvType = "f16";
        dev.codellm.model.llama.KvType.parse(kvType);  // a clear error now, not at the first request
        if (infillFormat == null) infillFormat = InfillFormat.PSM;
        if (rope == null) rope = RopeOverrides.NONE;
        if (contextShift == null) contextShift = ContextShift.OFF;
    }
}
