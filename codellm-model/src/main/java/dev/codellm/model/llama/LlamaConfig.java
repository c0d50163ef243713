package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;

/**
 * Hyper-parameters of a Llama-architecture model: the one config type of the engine, the trainer
 * and the converter. {@link LlamaGguf} reads it from and writes it to GGUF metadata.
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
 * @param tiedOutput     the classifier is the token embedding (the file has no {@code output.weight})
 */
public record LlamaConfig(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize,
                          int contextLength, float rmsEps, float ropeTheta, int ropeDim, RopeScaling ropeScaling,
                          boolean tiedOutput) {

    public LlamaConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || vocabSize <= 0 || contextLength <= 0)
            throw new CodellmException("invalid llama hyper-parameters: dim=" + dim + " layers=" + layers + " heads=" + heads
                    + " kv_heads=" + kvHeads + " ffn=" + ffnDim + " vocab=" + vocabSize + " context=" + contextLength);
        if (dim % heads != 0) throw new CodellmException("embedding width " + dim + " is not divisible by " + heads + " heads");
        if (heads % kvHeads != 0) throw new CodellmException(heads + " heads are not a multiple of " + kvHeads + " kv heads");
        if (ropeDim <= 0 || ropeDim > dim / heads || ropeDim % 2 != 0)
            throw new CodellmException("invalid rope dimension count " + ropeDim + " for head size " + dim / heads);
        if (ropeScaling == null) throw new CodellmException("rope scaling must be given (RopeScaling.NONE for none)");
    }

    /** A model whose RoPE rotates whole heads without scaling (what the trainer builds from scratch). */
    public LlamaConfig(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize, int contextLength,
                       float rmsEps, float ropeTheta, boolean tiedOutput) {
        this(dim, layers, heads, kvHeads, ffnDim, vocabSize, contextLength, rmsEps, ropeTheta, dim / Math.max(1, heads),
                RopeScaling.NONE, tiedOutput);
    }

    public int headDim() { return dim / heads; }
    public int kvDim() { return kvHeads * headDim(); }

    /** Multiply-adds per token of the forward pass over the weights (attention scores excluded). */
    public long weightMacsPerToken() {
        long perLayer = (long) dim * dim * 2 + 2L * dim * kvDim() + 3L * dim * ffnDim;
        return perLayer * layers + (long) dim * vocabSize;
    }

    /** The same model with another RoPE base and scaling ({@link RopeOverrides}). */
    public LlamaConfig withRope(float theta, RopeScaling scaling) {
        return new LlamaConfig(dim, layers, heads, kvHeads, ffnDim, vocabSize, contextLength, rmsEps, theta, ropeDim, scaling, tiedOutput);
    }

    /** Reads the {@code llama.*} keys of a model file ({@link LlamaGguf#read}). */
    public static LlamaConfig fromGguf(GgufFile f) {
        return LlamaGguf.read(f);
    }

    @Override public String toString() {
        return "vocab=" + vocabSize + " dim=" + dim + " layers=" + layers + " heads=" + heads + " kv=" + kvHeads + " ffn=" + ffnDim
                + " ctx=" + contextLength + (tiedOutput ? " tied" : "");
    }
}
