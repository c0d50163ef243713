package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml Q6_K: super-blocks of 256 as (128 bytes low nibbles, 64 bytes of 2-bit highs, 16 int8
 * scales, f16 d); w = d·sc·(q − 32) with q 6 bits.
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
}
