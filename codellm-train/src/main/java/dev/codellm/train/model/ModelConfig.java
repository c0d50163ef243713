package dev.codellm.train.model;

import dev.codellm.core.CodellmException;

/** Shape of a Llama-architecture model as the engine and llama.cpp's {@code llama} arch read it. */
public record ModelConfig(int vocabSize, int dim, int layers, int heads, int kvHeads, int ffnDim,
                          int contextLength, float ropeTheta, float normEps, boolean tiedOutput) {
    public ModelConfig {
        if (vocabSize <= 0 || dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || contextLength <= 0)
            throw new CodellmException("model shape must be positive: " + shape(vocabSize, dim, layers, heads, kvHeads, ffnDim));
        if (dim % heads != 0) throw new CodellmException("dim " + dim + " is not a multiple of heads " + heads);
        if (heads % kvHeads != 0) throw new CodellmException("heads " + heads + " is not a multiple of kv heads " + kvHeads);
        if ((dim / heads) % 2 != 0) throw new CodellmException("head size " + dim / heads + " must be even for RoPE");
    }

    public int headDim() { return dim / heads; }
    public int kvDim() { return kvHeads * headDim(); }

    /** Multiply-adds per token of the forward pass over the weights (attention scores excluded). */
    public long weightMacsPerToken() {
        long perLayer = (long) dim * dim * 2 + 2L * dim * kvDim() + 3L * dim * ffnDim;
        return perLayer * layers + (long) dim * vocabSize;
    }

    private static String shape(int v, int d, int l, int h, int kv, int f) {
        return "vocab=" + v + " dim=" + d + " layers=" + l + " heads=" + h + " kv=" + kv + " ffn=" + f;
    }

    @Override public String toString() {
        return shape(vocabSize, dim, layers, heads, kvHeads, ffnDim) + " ctx=" + contextLength + (tiedOutput ? " tied" : "");
    }
}
