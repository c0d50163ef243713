package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import java.util.Locale;

/**
 * Element type of the KV cache, as llama.cpp's {@code -ctk/-ctv}: F32 is exact, F16 (the default)
 * halves it, Q8_0 and Q4_0 store ggml's blocks of 32 (a f16 scale and 32 int8 / 4-bit values:
 * 34 and 18 bytes) along each kv head's dimension, so a head must span whole blocks.
 */
public enum KvType {
    F32(GgmlType.F32), F16(GgmlType.F16), Q8_0(GgmlType.Q8_0), Q4_0(GgmlType.Q4_0);

    private final GgmlType ggml;

    KvType(GgmlType ggml) { this.ggml = ggml; }

    /** ggml's type, whose block layout the cache rows use byte for byte. */
    public GgmlType ggml() { return ggml; }

    /** Elements per block (1 for F32/F16, 32 for the quantized types). */
    public int blockSize() { return ggml.blockSize(); }

    /** Bytes of a row of {@code n} elements ({@code n} a multiple of {@link #blockSize()}). */
    public long rowBytes(long n) { return n / blockSize() * ggml.typeSize(); }

    public boolean quantized() { return blockSize() > 1; }

    /** The lower-case name the flags take ({@code q8_0}). */
    public String flagName() { return name().toLowerCase(Locale.ROOT); }

    /**
     * The type advised to someone whose cache does not fit, or null when nothing smaller is worth
     * advising: q8_0 for f32 and f16 (llama.cpp's usual advice, a small loss) where the model's
     * heads split into its blocks, never q4_0 (its error is a user's choice to make, not a hint).
     */
    public KvType smaller(int headDim) {
        return (this == F32 || this == F16) && headDim % Q8_0.blockSize() == 0 ? Q8_0 : this == F32 ? F16 : null;
    }

    /**
     * The flags that make a cache of this type fit in less memory, as the one way every "does not
     * fit" message advises them: {@code --ctx}, {@code --parallel} when there are several slots, and
     * {@code --kv-type} only toward a smaller type than the one already in use that this model's
     * heads of {@code headDim} can take.
     */
    public String memoryFlags(int slots, int headDim) {
        KvType s = smaller(headDim);
        return "--ctx" + (slots > 1 ? ", --parallel" : "") + (s != null ? ", --kv-type " + s.flagName() : "");
    }

    /** Refuses a model whose kv heads do not split into this type's blocks (a one-line reason). */
    public void check(LlamaConfig c) {
        if (c.headDim() % blockSize() != 0) {
            throw new CodellmException("--kv-type " + flagName() + " stores blocks of " + blockSize() + " along a kv head, but this model's heads have "
                    + c.headDim() + " dimensions: use --kv-type f16");
        }
    }

    /** Parses {@code f16}/{@code f32}/{@code q8_0}/{@code q4_0} (any case) with a clear error otherwise. */
    public static KvType parse(String s) {
        for (KvType t : values()) if (t.name().equalsIgnoreCase(s == null ? "" : s.strip())) return t;
        throw new CodellmException("unknown KV cache type '" + s + "' (use " + names() + ")");
    }

    /** {@code f32, f16, q8_0 or q4_0}, for messages and help texts. */
    public static String names() { return "f32, f16, q8_0 or q4_0"; }
}
