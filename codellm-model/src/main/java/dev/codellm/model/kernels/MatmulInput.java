package dev.codellm.model.kernels;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The activations of a matmul ({@code batch} rows of {@code cols} floats) and the forms the
 * kernels read them in, each made once on first use and then shared by every matmul that reads
 * the same input (Q, K and V; gate and up): 8-bit blocks for the native int8 kernels, bf16 for
 * the {@code vdpbf16ps} kernel (and packed for AMX tiles), per-format reordered floats for the Java K-quant kernels.
 * Conversions run on the dispatching thread, before the parallel loop.
 */
public final class MatmulInput {
    private final float[] x;
    private final int batch;
    private byte[] q8;
    private short[] bf16;
    private short[] amxBf16;
    private short[] amxSplit;
    private Map<WeightFormat, float[]> prepared;

    public MatmulInput(float[] x, int batch) {
        this.x = x;
        this.batch = batch;
    }

    public float[] floats() { return x; }
    public int batch() { return batch; }

    /** The 8-bit activation blocks of the native int8 kernels ({@link NativeKernels#quantizeQ8_0}). */
    byte[] q8(int cols) {
        if (q8 == null) {
            q8 = new byte[NativeKernels.q8Bytes(batch * cols)];
            NativeKernels.quantizeQ8_0(x, q8, batch * cols);
        }
        return q8;
    }

    /** The activations rounded to bf16 for the vdpbf16ps kernel. */
    short[] bf16(int cols) {
        if (bf16 == null) {
            bf16 = new short[batch * cols];
            NativeKernels.roundBf16(x, bf16, batch * cols);
        }
        return bf16;
    }

    /** The bf16 activations packed for the AMX BF16 kernel ({@link NativeKernels#packBf16Amx}). */
    short[] amxBf16(int cols) {
        if (amxBf16 == null) {
            amxBf16 = new short[NativeKernels.packBf16Shorts(cols, batch)];
            NativeKernels.packBf16Amx(bf16(cols), cols, batch, amxBf16);
        }
        return amxBf16;
    }

    /** The activations split into bf16 hi + lo and packed for the AMX F16 kernel ({@link NativeKernels#splitPackAmx}). */
    short[] amxSplit(int cols) {
        if (amxSplit == null) {
            amxSplit = new short[NativeKernels.splitPackShorts(cols, batch)];
            NativeKernels.splitPackAmx(x, cols, batch, amxSplit);
        }
        return amxSplit;
    }

    /** The activations in the lane order of {@code f}'s Java kernel ({@link WeightFormat#prepare}), x itself for most formats. */
    float[] prepared(WeightFormat f, int cols) {
        if (!f.reordersActivations()) return x;
        if (prepared == null) prepared = new IdentityHashMap<>();
        return prepared.computeIfAbsent(f, k -> {
            float[] xp = new float[batch * cols];
            for (int t = 0; t < batch; t++) f.prepare(x, t * cols, xp, t * cols, cols);
            return xp;
        });
    }
}
