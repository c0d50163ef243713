package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The ggml types made of blocks of 32 weights behind one f16 scale (Q4_0, Q8_0): a block is four
 * 8-lane float vectors once unpacked in registers ({@link #part}), times the scale. The dot
 * products are written once here; a 4-token variant unpacks each block once for four activation
 * rows, which is what a server decode step of 4 slots needs (unpacking is most of the work).
 */
abstract class Block32Format extends WeightFormat {
    protected Block32Format(String name, int ggmlId, int blockBytes) {
        super(name, ggmlId, 32, blockBytes);
    }

    /**
     * The 4-token dot unpacks each block once per four tokens, which beats decoding a float tile up
     * to 16 tokens (4-slot server steps: 77 vs 131 ms/token on a 7B shape).
     */
    @Override
    public int directBatchLimit() {
        return 16;
    }

    /** The k-th 8 weights (k = 0..3) of the block at {@code off}, unscaled, as floats. */
    abstract FloatVector part(MemorySegment w, long off, int k);

    private static float scale(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
    }

    /** Σ of one unpacked block (w0..w3) with x[xo..xo+32), in the same order for every caller. */
    private static FloatVector block(FloatVector w0, FloatVector w1, FloatVector w2, FloatVector w3, float[] x, int xo) {
        var F = VecMath.F;
        FloatVector s = w0.mul(FloatVector.fromArray(F, x, xo));
        s = w1.fma(FloatVector.fromArray(F, x, xo + 8), s);
        s = w2.fma(FloatVector.fromArray(F, x, xo + 16), s);
        return w3.fma(FloatVector.fromArray(F, x, xo + 24), s);
    }

    @Override
    public final float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(VecMath.F);
        for (int b = 0; b < n / 32; b++, off += blockBytes(), xo += 32) {
            FloatVector d = FloatVector.broadcast(VecMath.F, scale(w, off));
            acc = block(part(w, off, 0), part(w, off, 1), part(w, off, 2), part(w, off, 3), x, xo).fma(d, acc);
        }
        return VecMath.sum(acc);
    }

    /** Bit-identical to four {@link #dot} calls on x rows {@code xo + t·stride}, t = 0..3. */
    @Override
    public final void dot4Prepared(MemorySegment w, long off, float[] x, int xo, int stride, int n, float[] out) {
        var F = VecMath.F;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + stride, x2 = x1 + stride, x3 = x2 + stride;
        for (int b = 0; b < n / 32; b++, off += blockBytes(), xo += 32, x1 += 32, x2 += 32, x3 += 32) {
            // Part by part, each unpacked once for the four tokens (few live registers, same
            // operation order per token as dot).
            FloatVector p = part(w, off, 0);
            FloatVector s0 = p.mul(FloatVector.fromArray(F, x, xo)), s1 = p.mul(FloatVector.fromArray(F, x, x1));
            FloatVector s2 = p.mul(FloatVector.fromArray(F, x, x2)), s3 = p.mul(FloatVector.fromArray(F, x, x3));
            for (int k = 1; k < 4; k++) {
                p = part(w, off, k);
                s0 = p.fma(FloatVector.fromArray(F, x, xo + 8 * k), s0);
                s1 = p.fma(FloatVector.fromArray(F, x, x1 + 8 * k), s1);
                s2 = p.fma(FloatVector.fromArray(F, x, x2 + 8 * k), s2);
                s3 = p.fma(FloatVector.fromArray(F, x, x3 + 8 * k), s3);
            }
            FloatVector d = FloatVector.broadcast(F, scale(w, off));
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
        }
        out[0] = VecMath.sum(a0);
        out[1] = VecMath.sum(a1);
        out[2] = VecMath.sum(a2);
        out[3] = VecMath.sum(a3);
    }
}
