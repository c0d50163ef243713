package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.kernels.NativeKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One sequence's state: its KV cache (off-heap, per layer, laid out [position][kvDim]) and how
 * many positions are filled. Rewind with {@link #truncate(int)} to reuse a shared prefix.
 * Not thread-safe: one sequence is advanced by one caller at a time.
 */
public final class Session {
    private final LlamaModel model;
    private final int contextLength;
    private final KvType kvType;
    private final int kvDim;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private int position;

    Session(LlamaModel model, int contextLength, KvType kvType) {
        LlamaConfig c = model.config();
        if (contextLength <= 0) throw new CodellmException("context length must be positive, got " + contextLength);
        this.model = model;
        this.contextLength = contextLength;
        this.kvType = kvType;
        this.kvDim = c.kvDim();
        long layerBytes = (long) contextLength * kvDim * kvType.bytes();
        Arena arena = Arena.ofAuto();
        keys = new MemorySegment[c.layers()];
        values = new MemorySegment[c.layers()];
        try {
            for (int l = 0; l < c.layers(); l++) {
                keys[l] = arena.allocate(layerBytes, 64);
                values[l] = arena.allocate(layerBytes, 64);
            }
        } catch (OutOfMemoryError e) {
            // The advice is KvType's, as KvBudget's: never "use f16" to someone already on f16.
            throw new CodellmException("not enough memory for a KV cache of " + bytes(c, contextLength, kvType) / (1 << 20)
                    + " MiB (context " + contextLength + ", " + kvType.name().toLowerCase(java.util.Locale.ROOT) + "): lower "
                    + kvType.memoryFlags(1));
        }
    }

    /** Bytes of KV cache a session of this context length and type needs, for printing up front. */
    public static long bytes(LlamaConfig c, int contextLength, KvType kvType) {
        return 2L * c.layers() * contextLength * c.kvDim() * kvType.bytes();
    }

    public LlamaModel model() { return model; }
    public int contextLength() { return contextLength; }
    public KvType kvType() { return kvType; }

    /** Number of tokens already processed (the position of the next token). */
    public int position() { return position; }

    /** Forgets everything from {@code pos} on, keeping the cache of the first {@code pos} tokens. */
    public void truncate(int pos) {
        if (pos < 0 || pos > position) throw new IllegalArgumentException("cannot truncate to " + pos + " (position " + position + ")");
        position = pos;
    }

    void advance(int n) { position += n; }

    /**
     * llama.cpp's context shift on this cache: positions [keep, keep + discard) are dropped, the
     * later ones move down by {@code discard}, each key turned back by {@code discard} positions
     * ({@code rotation}: {@link Rope#shiftTable}); values do not depend on the position and just move.
     */
    void shift(int keep, int discard, Rope rope, float[] rotation, int headDim) {
        if (keep < 0 || discard <= 0 || keep + discard > position) {
            throw new IllegalArgumentException("cannot drop " + discard + " positions after " + keep + " (position " + position + ")");
        }
        if (kvType != KvType.F32 && kvType != KvType.F16) {
            // a new cache type must say how its keys are read and written back here
            throw new UnsupportedOperationException("context shift is not implemented for a " + kvType + " KV cache");
        }
        int from = keep + discard, n = position - from, heads = kvDim / headDim;
        long eb = kvType.bytes();
        float[] row = new float[kvDim];
        short[] halves = kvType == KvType.F16 ? new short[kvDim] : null;
        for (int l = 0; l < keys.length; l++) {
            MemorySegment ks = keys[l];
            for (int p = from; p < position; p++) {
                long src = (long) p * kvDim * eb, dst = (long) (p - discard) * kvDim * eb;
                if (halves == null) {
                    MemorySegment.copy(ks, ValueLayout.JAVA_FLOAT, src, row, 0, kvDim);
                } else {
                    MemorySegment.copy(ks, ValueLayout.JAVA_SHORT, src, halves, 0, kvDim);
                    for (int i = 0; i < kvDim; i++) row[i] = Float.float16ToFloat(halves[i]);
                }
                rope.apply(row, 0, heads, headDim, rotation);
                if (halves == null) {
                    MemorySegment.copy(row, 0, ks, ValueLayout.JAVA_FLOAT, dst, kvDim);
                } else {
                    for (int i = 0; i < kvDim; i++) halves[i] = Float.floatToFloat16(row[i]);
                    MemorySegment.copy(halves, 0, ks, ValueLayout.JAVA_SHORT, dst, kvDim);
                }
            }
            // one overlapping move (MemorySegment.copy copies as through a temporary)
            MemorySegment.copy(values[l], (long) from * kvDim * eb, values[l], (long) keep * kvDim * eb, (long) n * kvDim * eb);
        }
        position -= discard;
    }

    /** Stores one key and value row (kvDim floats from the given offsets) at {@code pos}. */
    void store(int layer, int pos, float[] k, int ko, float[] v, int vo) {
        long base = (long) pos * kvDim;
        if (kvType == KvType.F32) {
            MemorySegment.copy(k, ko, keys[layer], ValueLayout.JAVA_FLOAT, base * 4, kvDim);
            MemorySegment.copy(v, vo, values[layer], ValueLayout.JAVA_FLOAT, base * 4, kvDim);
        } else {
            MemorySegment ks = keys[layer], vs = values[layer];
            for (int i = 0; i < kvDim; i++) {
                ks.set(ValueLayout.JAVA_SHORT, (base + i) * 2, Float.floatToFloat16(k[ko + i]));
                vs.set(ValueLayout.JAVA_SHORT, (base + i) * 2, Float.floatToFloat16(v[vo + i]));
            }
        }
    }

    /**
     * Attention of one query head over positions [0, upTo]: writes Σ softmax(q·k/√d)·v into
     * out[oo..oo+headDim). {@code kvOff} selects the kv head within a row; scores is scratch space.
     */
    void attend(int layer, int upTo, float[] q, int qo, int kvOff, int headDim, float[] scores, float[] out, int oo) {
        MemorySegment ks = keys[layer], vs = values[layer];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (kvType == KvType.F16 && NativeKernels.enabled()) {
            // F16C converts 8 halves per instruction; Java has no vector half->float conversion.
            NativeKernels.attendF16(ks.asSlice(2L * kvOff), vs.asSlice(2L * kvOff), kvDim, upTo + 1, q, qo, headDim, scale,
                    scores, out, oo);
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        boolean f32 = kvType == KvType.F32;
        for (int p = 0; p <= upTo; p++) {
            long base = (long) p * kvDim + kvOff;
            float s = f32 ? KvMath.dotF32(ks, base, q, qo, headDim) : KvMath.dotF16(ks, base, q, qo, headDim);
            s *= scale;
            scores[p] = s;
            if (s > max) max = s;
        }
        float sum = 0;
        for (int p = 0; p <= upTo; p++) {
            float e = (float) Math.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        java.util.Arrays.fill(out, oo, oo + headDim, 0f);
        float inv = 1f / sum;
        for (int p = 0; p <= upTo; p++) {
            long base = (long) p * kvDim + kvOff;
            float a = scores[p] * inv;
            if (f32) KvMath.axpyF32(a, vs, base, out, oo, headDim);
            else KvMath.axpyF16(a, vs, base, out, oo, headDim);
        }
    }
}
