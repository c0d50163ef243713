package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml Q8_0: blocks of 32 as (f16 scale d, 32 × int8 q); w = d·q. */
final class Q8_0Format extends WeightFormat {
    Q8_0Format() { super("Q8_0", 8, 32, 34); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        for (int b = 0; b < n / 32; b++, off += 34) {
            float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            for (int j = 0; j < 32; j++) out[oo + b * 32 + j] = d * w.get(ValueLayout.JAVA_BYTE, off + 2 + j);
        }
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        var B = ByteVector.SPECIES_64;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++, off += 34, xo += 32) {
            float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            FloatVector s = ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xo));
            s = ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 10, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + 8), s);
            s = ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 18, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + 16), s);
            s = ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 26, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + 24), s);
            acc = s.fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
