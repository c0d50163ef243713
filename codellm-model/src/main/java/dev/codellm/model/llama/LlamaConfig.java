package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;

/**
 * Hyper-parameters of a Llama-architecture model, read from GGUF metadata ({@code llama.*} keys).
 *
 * @param dim            embedding width
 * @param layers         transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (fewer than {@code heads} for grouped-query attention)
 * @param ffnDim         SwiGLU hidden width
 * @param vocabSize      rows of the token embedding
 * @param contextLength  trained context length
 * @param rmsEps         RMSNorm epsilon
 * @param ropeTheta      RoPE base frequency (Code Llama: 1e6)
 * @param ropeDim        dimensions rotated per head (normally the head size)
 * @param ropeScaling    context-extension scaling
 */
public record LlamaConfig(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize,
                          int contextLength, float rmsEps, float ropeTheta, int ropeDim, RopeScaling ropeScaling) {

    public LlamaConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || vocabSize <= 0)
            throw new CodellmException("invalid llama hyper-parameters: dim=" + dim + " layers=" + layers + " heads=" + heads
                    + " kv_heads=" + kvHeads + " ffn=" + ffnDim + " vocab=" + vocabSize);
        if (dim % heads != 0) throw new CodellmException("embedding width " + dim + " is not divisible by " + heads + " heads");
        if (heads % kvHeads != 0) throw new CodellmException(heads + " heads are not a multiple of " + kvHeads + " kv heads");
        if (ropeDim <= 0 || ropeDim > dim / heads || ropeDim % 2 != 0)
            throw new CodellmException("invalid rope dimension count " + ropeDim + " for head size " + dim / heads);
    }

    public int headDim() { return dim / heads; }
    public int kvDim() { return kvHeads * headDim(); }

    /** The same model with another RoPE base and scaling ({@link RopeOverrides}). */
    public LlamaConfig withRope(float theta, RopeScaling scaling) {
        return new LlamaConfig(dim, layers, heads, kvHeads, ffnDim, vocabSize, contextLength, rmsEps, theta, ropeDim, scaling);
    }

    /** Reads the {@code llama.*} keys; a clear error names a missing key or another architecture. */
    public static LlamaConfig fromGguf(GgufFile f) {
        String arch = f.optString("general.architecture", null);
        if (arch == null) {
            throw new CodellmException("GGUF has no general.architecture key: not a model file (vocab-only?)");
        }
        if (!arch.equals("llama")) throw new CodellmException("unsupported architecture '" + arch + "' (only 'llama' is supported)");
        if (f.tensors().isEmpty()) throw new CodellmException("GGUF has no tensors: a vocab-only file cannot be run");
        String p = "llama.";
        int dim = f.getInt(p + "embedding_length");
        int heads = f.getInt(p + "attention.head_count");
        int kvHeads = f.optInt(p + "attention.head_count_kv", heads);
        int vocab = f.has(p + "vocab_size") ? f.getInt(p + "vocab_size")
                : (int) f.tensor("token_embd.weight").dim(1);
        int ropeDim = f.optInt(p + "rope.dimension_count", dim / Math.max(1, heads));
        RopeScaling scaling = RopeScaling.NONE;
        String type = f.optString(p + "rope.scaling.type", "none");
        float factor = f.optFloat(p + "rope.scaling.factor", 1f);
        int orig = f.optInt(p + "rope.scaling.original_context_length", 0);
        if (f.has(p + "rope.scale_linear")) {  // older converters
            type = "linear";
            factor = f.getFloat(p + "rope.scale_linear");
        }
        switch (type) {
            case "none" -> { }
            case "linear" -> scaling = new RopeScaling(RopeScaling.Type.LINEAR, factor, orig);
            case "yarn" -> scaling = new RopeScaling(RopeScaling.Type.YARN, factor, orig);
            default -> throw new CodellmException("unsupported rope scaling type '" + type + "'");
        }
        if (scaling.type() != RopeScaling.Type.NONE && factor == 1f) scaling = RopeScaling.NONE;
        return new LlamaConfig(dim, f.getInt(p + "block_count"), heads, kvHeads, f.getInt(p + "feed_forward_length"), vocab,
                f.optInt(p + "context_length", 2048), f.optFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                f.optFloat(p + "rope.freq_base", 10000f), ropeDim, scaling);
    }
}
