package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 as (f16 scale d, 16 bytes); weight j &lt; 16 is the low nibble of byte j,
 * weight j+16 the high nibble; w = d·(nibble − 8).
 */
final class Q4_0Format extends Block32Format {
    Q4_0Format() { super("Q4_0", 2, 18); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        for (int b = 0; b < n / 32; b++, off += 18) {
            float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            int base = oo + b * 32;
            for (int j = 0; j < 16; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, off + 2 + j) & 0xFF;
                out[base + j] = d * ((q & 0xF) - 8);
                out[base + j + 16] = d * ((q >>> 4) - 8);
            }
        }
    }

    @Override
    FloatVector part(MemorySegment w, long off, int k) {
        // Parts 0/1: low nibbles of bytes 0..7 / 8..15; parts 2/3: their high nibbles.
        ByteVector v = ByteVector.fromMemorySegment(ByteVector.SPECIES_64, w, off + 2 + 8 * (k & 1), ByteOrder.LITTLE_ENDIAN);
        v = k < 2 ? v.and((byte) 0xF) : v.lanewise(VectorOperators.LSHR, 4);
        return (FloatVector) v.sub((byte) 8).convertShape(VectorOperators.B2F, VecMath.F, 0);
    }
}
