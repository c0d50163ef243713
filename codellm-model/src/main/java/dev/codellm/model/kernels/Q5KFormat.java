package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml Q5_K: super-blocks of 256 as (f16 d, f16 dmin, 12 bytes scales/mins, 32 bytes of fifth
 * bits, 128 bytes of nibbles); w = d·sc·(nibble + 16·bit) − dmin·m.
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
}
