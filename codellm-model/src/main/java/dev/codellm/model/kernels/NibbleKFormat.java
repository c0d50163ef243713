package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K and Q5_K, which differ only by Q5_K's fifth bits: super-blocks of 256 as (f16 d,
 * f16 dmin, 12 bytes of packed 6-bit scales/mins, [Q5_K: 32 bytes qh], 128 bytes of nibbles);
 * 8 sub-blocks of 32, w = d·sc·(nibble [+ 16·bit]) − dmin·m. Byte 32p + l of the nibbles holds
 * element l of sub-block 2p (low nibble) and of sub-block 2p + 1 (high nibble); Q5_K's fifth bit
 * of element l of sub-block j is bit j of qh[l]. One class for both so the fused kernel exists once.
 */
final class NibbleKFormat extends WeightFormat {
    private final boolean fifthBit;
    /** Offset of the nibbles in a super-block: after d, dmin, scales [and qh]. */
    private final int qsOff;

    private NibbleKFormat(String name, int ggmlId, boolean fifthBit) {
        super(name, ggmlId, 256, fifthBit ? 176 : 144);
        this.fifthBit = fifthBit;
        this.qsOff = fifthBit ? 48 : 16;
    }

    static NibbleKFormat q4K() { return new NibbleKFormat("Q4_K", 12, false); }

    static NibbleKFormat q5K() { return new NibbleKFormat("Q5_K", 13, true); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        byte[] blk = new byte[blockBytes()];
        for (int b = 0; b < n / 256; b++, off += blockBytes()) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off, blk, 0, blockBytes());
            float d = KQuant.half(blk, 0), dmin = KQuant.half(blk, 2);
            int y = oo + b * 256, q = qsOff, u1 = 1, u2 = 2;
            for (int is = 0; is < 8; is += 2, q += 32, y += 64, u1 <<= 2, u2 <<= 2) {
                float d1 = d * KQuant.scale(blk, 4, is), m1 = dmin * KQuant.min(blk, 4, is);
                float d2 = d * KQuant.scale(blk, 4, is + 1), m2 = dmin * KQuant.min(blk, 4, is + 1);
                for (int l = 0; l < 32; l++) {
                    int v = blk[q + l] & 0xFF, h = fifthBit ? blk[16 + l] : 0;
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

    /**
     * Fused, in 32-bit integer lanes: the 32 nibble bytes of a sub-block pair are 8 int lanes;
     * shifting by 8k (+4 for the high nibbles) and masking yields elements 4i + k in lane i (the
     * activations are in that order, see {@link #prepare}), converted to float in registers; Q5_K's
     * fifth bit is shifted into place per lane. Per sub-block d·sc·Σ q·x − dmin·m·Σ x (the min
     * term needs only the activations' sum).
     */
    @Override
    public float dotPrepared(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        FloatVector acc = FloatVector.zero(F);
        IntVector noBits = IntVector.zero(IntVector.SPECIES_256);
        for (int b = 0; b < n / 256; b++, off += blockBytes(), xo += 256) {
            float d = KQuant.half(w, off), dmin = KQuant.half(w, off + 2);
            IntVector qh = fifthBit ? KQuant.ints8(w, off + 16) : noBits;
            for (int p = 0; p < 4; p++) {
                IntVector v = KQuant.ints8(w, off + qsOff + 32 * p);
                int x0 = xo + 64 * p;
                FloatVector lo = FloatVector.zero(F), hi = FloatVector.zero(F), sumLo = FloatVector.zero(F), sumHi = FloatVector.zero(F);
                for (int k = 0; k < 4; k++) {
                    FloatVector xa = FloatVector.fromArray(F, x, x0 + 8 * k), xb = FloatVector.fromArray(F, x, x0 + 32 + 8 * k);
                    IntVector vk = v.lanewise(VectorOperators.LSHR, 8 * k);
                    IntVector ql = vk.and(0xF), qu = vk.lanewise(VectorOperators.LSHR, 4).and(0xF);
                    if (fifthBit) {
                        IntVector hk = qh.lanewise(VectorOperators.LSHR, 8 * k + 2 * p);
                        ql = ql.or(hk.and(1).lanewise(VectorOperators.LSHL, 4));
                        qu = qu.or(hk.and(2).lanewise(VectorOperators.LSHL, 3));
                    }
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
        return VecMath.sum(acc);
    }
}
