package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K: super-blocks of 256 as (f16 d, f16 dmin, 12 bytes of packed 6-bit scales/mins,
 * 128 bytes of nibbles); 8 sub-blocks of 32, w = d·sc·q − dmin·m. Byte 32p + l holds element l
 * of sub-block 2p (low nibble) and of sub-block 2p + 1 (high nibble).
 */
final class Q4KFormat extends WeightFormat {
    Q4KFormat() { super("Q4_K", 12, 256, 144); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        byte[] blk = new byte[144];
        for (int b = 0; b < n / 256; b++, off += 144) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off, blk, 0, 144);
            float d = KQuant.half(blk, 0), dmin = KQuant.half(blk, 2);
            int y = oo + b * 256, q = 16;
            for (int is = 0; is < 8; is += 2, q += 32, y += 64) {
                float d1 = d * KQuant.scale(blk, 4, is), m1 = dmin * KQuant.min(blk, 4, is);
                float d2 = d * KQuant.scale(blk, 4, is + 1), m2 = dmin * KQuant.min(blk, 4, is + 1);
                for (int l = 0; l < 32; l++) {
                    int v = blk[q + l] & 0xFF;
                    out[y + l] = d1 * (v & 0xF) - m1;
                    out[y + 32 + l] = d2 * (v >>> 4) - m2;
                }
            }
        }
    }

    @Override
    public boolean reordersActivations() { return true; }

    @Override
    public void prepare(float[] x, int xo, float[] out, int oo, int n) { transpose32(x, xo, out, oo, n); }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        return KQuant.dotViaTranspose(this, w, off, x, xo, n);
    }

    /**
     * Fused, in 32-bit integer lanes: the 32 nibble bytes of a sub-block pair are 8 int lanes;
     * shifting by 8k (+4 for the high nibbles) and masking yields elements 4i + k in lane i (the
     * activations are in that order, see {@link #prepare}), converted to float in registers. Per
     * sub-block d·sc·Σ q·x − dmin·m·Σ x (the min term needs only the activations' sum).
     */
    @Override
    public float dotPrepared(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++, off += 144, xo += 256) {
            float d = KQuant.half(w, off), dmin = KQuant.half(w, off + 2);
            for (int p = 0; p < 4; p++) {
                IntVector v = KQuant.ints8(w, off + 16 + 32 * p);
                int x0 = xo + 64 * p;
                FloatVector lo = FloatVector.zero(F), hi = FloatVector.zero(F), sumLo = FloatVector.zero(F), sumHi = FloatVector.zero(F);
                for (int k = 0; k < 4; k++) {
                    FloatVector xa = FloatVector.fromArray(F, x, x0 + 8 * k), xb = FloatVector.fromArray(F, x, x0 + 32 + 8 * k);
                    IntVector vk = v.lanewise(VectorOperators.LSHR, 8 * k);
                    lo = KQuant.toFloat(vk.and(0xF)).fma(xa, lo);
                    hi = KQuant.toFloat(vk.lanewise(VectorOperators.LSHR, 4).and(0xF)).fma(xb, hi);
                    sumLo = sumLo.add(xa);
                    sumHi = sumHi.add(xb);
                }
                long s = off + 4;
                acc = lo.fma(FloatVector.broadcast(F, d * KQuant.scale(w, s, 2 * p)), acc);
                acc = sumLo.fma(FloatVector.broadcast(F, -dmin * KQuant.min(w, s, 2 * p)), acc);
                acc = hi.fma(FloatVector.broadcast(F, d * KQuant.scale(w, s, 2 * p + 1)), acc);
                acc = sumHi.fma(FloatVector.broadcast(F, -dmin * KQuant.min(w, s, 2 * p + 1)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
