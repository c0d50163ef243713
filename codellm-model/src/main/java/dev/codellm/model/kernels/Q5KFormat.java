package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q5_K: super-blocks of 256 as (f16 d, f16 dmin, 12 bytes scales/mins, 32 bytes of fifth
 * bits, 128 bytes of nibbles); w = d·sc·(nibble + 16·bit) − dmin·m. Sub-block j's fifth bit of
 * element l is bit j of qh[l].
 */
final class Q5KFormat extends WeightFormat {
    Q5KFormat() { super("Q5_K", 13, 256, 176); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        byte[] blk = new byte[176];
        for (int b = 0; b < n / 256; b++, off += 176) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off, blk, 0, 176);
            float d = KQuant.half(blk, 0), dmin = KQuant.half(blk, 2);
            int y = oo + b * 256, ql = 48, qh = 16, u1 = 1, u2 = 2;
            for (int is = 0; is < 8; is += 2, ql += 32, y += 64, u1 <<= 2, u2 <<= 2) {
                float d1 = d * KQuant.scale(blk, 4, is), m1 = dmin * KQuant.min(blk, 4, is);
                float d2 = d * KQuant.scale(blk, 4, is + 1), m2 = dmin * KQuant.min(blk, 4, is + 1);
                for (int l = 0; l < 32; l++) {
                    int v = blk[ql + l] & 0xFF, h = blk[qh + l];
                    out[y + l] = d1 * ((v & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                    out[y + 32 + l] = d2 * ((v >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
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

    /** Fused in integer lanes as {@link Q4KFormat#dotPrepared}, the fifth bit shifted into place per lane. */
    @Override
    public float dotPrepared(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++, off += 176, xo += 256) {
            float d = KQuant.half(w, off), dmin = KQuant.half(w, off + 2);
            IntVector qh = KQuant.ints8(w, off + 16);
            for (int p = 0; p < 4; p++) {
                IntVector v = KQuant.ints8(w, off + 48 + 32 * p);
                int x0 = xo + 64 * p;
                FloatVector lo = FloatVector.zero(F), hi = FloatVector.zero(F), sumLo = FloatVector.zero(F), sumHi = FloatVector.zero(F);
                for (int k = 0; k < 4; k++) {
                    FloatVector xa = FloatVector.fromArray(F, x, x0 + 8 * k), xb = FloatVector.fromArray(F, x, x0 + 32 + 8 * k);
                    IntVector vk = v.lanewise(VectorOperators.LSHR, 8 * k);
                    IntVector hk = qh.lanewise(VectorOperators.LSHR, 8 * k + 2 * p);
                    IntVector ql = vk.and(0xF).or(hk.and(1).lanewise(VectorOperators.LSHL, 4));
                    IntVector qu = vk.lanewise(VectorOperators.LSHR, 4).and(0xF).or(hk.and(2).lanewise(VectorOperators.LSHL, 3));
                    lo = KQuant.toFloat(ql).fma(xa, lo);
                    hi = KQuant.toFloat(qu).fma(xb, hi);
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
