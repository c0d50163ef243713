package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;

/**
 * How one ggml weight type is stored and how to compute with it: decode a run of a row to floats
 * and take the dot product of a row with float activations, reading the mapped file directly.
 * Offsets are byte offsets into the segment; {@code n} is a multiple of {@link #blockSize()}.
 */
public abstract class WeightFormat {
    private final String name;
    private final int ggmlId;
    private final int blockSize;
    private final int blockBytes;

    protected WeightFormat(String name, int ggmlId, int blockSize, int blockBytes) {
        this.name = name;
        this.ggmlId = ggmlId;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public final String name() { return name; }
    public final int ggmlId() { return ggmlId; }
    public final int blockSize() { return blockSize; }
    public final int blockBytes() { return blockBytes; }
    public final long rowBytes(long n) { return n / blockSize * blockBytes; }

    /** Decodes {@code n} weights starting at byte {@code off} into out[oo..oo+n). */
    public abstract void dequant(MemorySegment w, long off, float[] out, int oo, int n);

    /** Dot product of {@code n} weights at byte {@code off} with x[xo..xo+n). */
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        // Generic path: decode a slice at a time into a per-thread buffer, then a float dot.
        float[] buf = SCRATCH.get();
        int step = Math.max(blockSize, buf.length / blockSize * blockSize);
        float sum = 0;
        for (int i = 0; i < n; i += step) {
            int len = Math.min(step, n - i);
            dequant(w, off + rowBytes(i), buf, 0, len);
            sum += VecMath.dot(buf, 0, x, xo + i, len);
        }
        return sum;
    }

    /**
     * Whether {@link #dotPrepared} wants the activations in another order than the weights' (see
     * {@link #prepare}). Formats that unpack 4-bit/6-bit weights in 32-bit integer lanes do: an int
     * lane holds 4 consecutive bytes, so the values it yields are 4 apart; reordering the
     * activations once per token (shared by every row) is far cheaper than shuffling every weight.
     */
    public boolean reordersActivations() { return false; }

    /** Writes x[xo..xo+n) in the order {@link #dotPrepared} reads it into out[oo..oo+n). Default: as is. */
    public void prepare(float[] x, int xo, float[] out, int oo, int n) {
        System.arraycopy(x, xo, out, oo, n);
    }

    /** {@link #dot} with activations already passed through {@link #prepare}. */
    public float dotPrepared(MemorySegment w, long off, float[] xp, int xo, int n) {
        return dot(w, off, xp, xo, n);
    }

    /**
     * Matmuls of fewer tokens than this read each weight straight from the file (decode steps,
     * server slots); larger ones decode a tile of rows to floats once and reuse it for every token
     * (prompts). Quantized types decode once per token on the direct path, so the tile pays from 8
     * tokens (4-slot server steps were 30 % slower per token on the tile path); float types decode
     * cheaply, so the tile's cache reuse wins from 4.
     */
    public int directBatchLimit() {
        return blockSize > 1 ? 8 : 4;
    }

    /**
     * out[t] = dotPrepared(row at {@code off}, xp rows {@code xo + t·stride}) for t = 0..3. Default:
     * four separate dots; formats whose unpacking dominates override it to unpack once.
     */
    public void dot4Prepared(MemorySegment w, long off, float[] xp, int xo, int stride, int n, float[] out) {
        for (int t = 0; t < 4; t++) out[t] = dotPrepared(w, off, xp, xo + t * stride, n);
    }

    /**
     * The reordering of the K-quant integer-lane kernels: within each block of 32, lane i of the
     * k-th 8-float vector gets element 4i + k (an 8 × 4 transpose).
     */
    static void transpose32(float[] x, int xo, float[] out, int oo, int n) {
        for (int b = 0; b < n; b += 32) {
            for (int i = 0; i < 8; i++) {
                for (int k = 0; k < 4; k++) out[oo + b + 8 * k + i] = x[xo + b + 4 * i + k];
            }
        }
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[1024]);

    @Override
    public String toString() { return name; }

    private static final WeightFormat[] ALL = {
        new F32Format(), new F16Format(), new BF16Format(), new Q8_0Format(), new Q4_0Format(),
        NibbleKFormat.q4K(), NibbleKFormat.q5K(), new Q6KFormat(),
    };

    /** The format for a ggml type id, or null when there is no kernel for it. */
    public static WeightFormat forGgmlId(int id) {
        for (WeightFormat f : ALL) if (f.ggmlId == id) return f;
        return null;
    }

    /** The format with this ggml type name (e.g. {@code Q4_0}), or null. */
    public static WeightFormat forName(String name) {
        for (WeightFormat f : ALL) if (f.name.equalsIgnoreCase(name)) return f;
        return null;
    }

    /** Names of all supported types, for error messages and CLI help. */
    public static String supportedNames() {
        StringBuilder sb = new StringBuilder();
        for (WeightFormat f : ALL) sb.append(sb.isEmpty() ? "" : ", ").append(f.name);
        return sb.toString();
    }
}
