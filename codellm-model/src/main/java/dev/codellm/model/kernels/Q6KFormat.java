package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 as (128 bytes low nibbles, 64 bytes of 2-bit highs, 16 int8
 * scales, f16 d); w = d·sc·(q − 32) with q 6 bits. Each half h of 128 weights is four groups of
 * 32 (low nibbles from ql[64h + l] / ql[64h + 32 + l], low then high nibble; 2 high bits from
 * qh[32h + l] bits 2g..2g+1); the scale changes every 16 weights: sc[8h + l/16 + 2g].
 */
final class Q6KFormat extends WeightFormat {
    Q6KFormat() { super("Q6_K", 14, 256, 210); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        byte[] blk = new byte[210];
        for (int b = 0; b < n / 256; b++, off += 210) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off, blk, 0, 210);
            float d = KQuant.half(blk, 208);
            int y = oo + b * 256;
            for (int half = 0; half < 2; half++, y += 128) {
                int ql = 64 * half, qh = 128 + 32 * half, sc = 192 + 8 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16, lo = blk[ql + l] & 0xFF, lo2 = blk[ql + l + 32] & 0xFF, h = blk[qh + l] & 0xFF;
                    out[y + l] = d * blk[sc + is] * (((lo & 0xF) | ((h & 3) << 4)) - 32);
                    out[y + l + 32] = d * blk[sc + is + 2] * (((lo2 & 0xF) | (((h >>> 2) & 3) << 4)) - 32);
                    out[y + l + 64] = d * blk[sc + is + 4] * (((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32);
                    out[y + l + 96] = d * blk[sc + is + 6] * (((lo2 >>> 4) | (((h >>> 6) & 3) << 4)) - 32);
                }
            }
        }
    }

    /**
     * Fused: the 6-bit values are assembled and re-centred (− 32, fits a signed byte) in byte
     * lanes, widened to float in registers; Σ (q − 32)·x per run of 16 weights, times d·scale.
     */
    @Override
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++, off += 210, xo += 256) {
            float d = KQuant.half(w, off + 208);
            for (int h = 0; h < 2; h++) {
                long ql = off + 64 * h, qh = off + 128 + 32 * h, sc = off + 192 + 8 * h;
                int xh = xo + 128 * h;
                for (int s = 0; s < 2; s++) {  // runs of 16: l in [16s, 16s + 16)
                    FloatVector g0 = FloatVector.zero(F), g1 = FloatVector.zero(F), g2 = FloatVector.zero(F), g3 = FloatVector.zero(F);
                    for (int l = 16 * s; l < 16 * s + 16; l += 8) {
                        ByteVector a = KQuant.bytes8(w, ql + l), c = KQuant.bytes8(w, ql + 32 + l), hb = KQuant.bytes8(w, qh + l);
                        ByteVector q0 = a.and((byte) 0xF).or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                        ByteVector q1 = c.and((byte) 0xF).or(hb.and((byte) 0xC).lanewise(VectorOperators.LSHL, 2));
                        ByteVector q2 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and((byte) 0x30));
                        ByteVector q3 = c.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4));
                        g0 = KQuant.toFloat(q0.sub((byte) 32)).fma(FloatVector.fromArray(F, x, xh + l), g0);
                        g1 = KQuant.toFloat(q1.sub((byte) 32)).fma(FloatVector.fromArray(F, x, xh + 32 + l), g1);
                        g2 = KQuant.toFloat(q2.sub((byte) 32)).fma(FloatVector.fromArray(F, x, xh + 64 + l), g2);
                        g3 = KQuant.toFloat(q3.sub((byte) 32)).fma(FloatVector.fromArray(F, x, xh + 96 + l), g3);
                    }
                    acc = g0.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + s)), acc);
                    acc = g1.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + s + 2)), acc);
                    acc = g2.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + s + 4)), acc);
                    acc = g3.fma(FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + s + 6)), acc);
                }
            }
        }
        return VecMath.sum(acc);
    }
}
