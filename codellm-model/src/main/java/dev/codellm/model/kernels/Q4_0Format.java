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
final class Q4_0Format extends WeightFormat {
    Q4_0Format() { super("Q4_0", 2, 32, 18); }

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
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        var B = ByteVector.SPECIES_64;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++, off += 18, xo += 32) {
            float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            ByteVector v0 = ByteVector.fromMemorySegment(B, w, off + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector v1 = ByteVector.fromMemorySegment(B, w, off + 10, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = ((FloatVector) v0.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xo));
            s = ((FloatVector) v1.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                    .fma(FloatVector.fromArray(F, x, xo + 8), s);
            s = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                    .fma(FloatVector.fromArray(F, x, xo + 16), s);
            s = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                    .fma(FloatVector.fromArray(F, x, xo + 24), s);
            acc = s.fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
