package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml Q4_K: super-blocks of 256 as (f16 d, f16 dmin, 12 bytes of packed 6-bit scales/mins,
 * 128 bytes of nibbles); 8 sub-blocks of 32, w = d·sc·q − dmin·m.
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
}
