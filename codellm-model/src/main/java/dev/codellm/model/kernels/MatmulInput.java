package dev.codellm.model.kernels;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The activations of a matmul ({@code batch} rows of {@code cols} floats) and the forms the
 * kernels read them in, each made once on first use and then shared by every matmul that reads
 * the same input (Q, K and V; gate and up): 8-bit blocks for the native int8 kernels, bf16 for
 * the {@code vdpbf16ps} kernel (and packed for AMX tiles), per-format reordered floats for the Java K-quant kernels.
 * Conversions run before the parallel loop, split by rows over the pool when one is given (a
 * prompt chunk's 256 rows: the conversion was a serial section of every matmul); each row is
 * converted on its own, so the result does not depend on the split (the AMX packings, which
 * interleave tokens, stay on the calling thread).
 */
public final class MatmulInput {
    private final float[] x;
    private final int batch;
    private byte[] q8;
    private short[] bf16;
    private short[] amxBf16;
    private short[] amxSplit;
    private Map<WeightFormat, float[]> prepared;
    /** Splits the conversions by rows; null converts on the calling thread. */
    private final Parallel par;

    /**
     * Rows per chunk of a parallel conversion: a row of 4096 floats quantizes in about a
     * microsecond, so batches below 2 chunks (generation, a few server slots) stay on the caller.
     */
    static final int ROW_GRAIN = 8;

    public MatmulInput(float[] x, int batch) {
        this(x, batch, null);
    }

    /** With {@code par}, conversions of large batches run as a parallel loop over the rows. */
    public MatmulInput(float[] x, int batch, Parallel par) {
        this.x = x;
        this.batch = batch;
        this.par = par;
    }

    /** Runs {@code rows} over [0, batch), on the pool when there is one. */
    private void forRows(Parallel.Range rows) {
        if (par == null) rows.run(0, batch);
        else par.forRange(batch, ROW_GRAIN, rows);
    }

    public float[] floats() { return x; }
    public int batch() { return batch; }

    /** The 8-bit activation blocks of the native int8 kernels ({@link NativeKernels#quantizeQ8_0}). */
    byte[] q8(int cols) {
        if (q8 == null) {
            byte[] out = new byte[NativeKernels.q8Bytes(batch * cols)];
            forRows((t0, t1) -> NativeKernels.quantizeQ8_0(x, t0 * cols, out, NativeKernels.q8Bytes(t0 * cols), (t1 - t0) * cols));
            q8 = out;
        }
        return q8;
    }

    /** The activations rounded to bf16 for the vdpbf16ps kernel. */
    short[] bf16(int cols) {
        if (bf16 == null) {
            short[] out = new short[batch * cols];
            forRows((t0, t1) -> NativeKernels.roundBf16(x, t0 * cols, out, (t1 - t0) * cols));
            bf16 = out;
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
            forRows((t0, t1) -> {
                for (int t = t0; t < t1; t++) f.prepare(x, t * cols, xp, t * cols, cols);
            });
            return xp;
        });
    }
}
