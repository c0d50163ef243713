package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml Q8_0: blocks of 32 as (f16 scale d, 32 × int8 q); w = d·q. */
final class Q8_0Format extends Block32Format {
    Q8_0Format() { super("Q8_0", 8, 34); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        for (int b = 0; b < n / 32; b++, off += 34) {
            float d = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            for (int j = 0; j < 32; j++) out[oo + b * 32 + j] = d * w.get(ValueLayout.JAVA_BYTE, off + 2 + j);
        }
    }

    @Override
    FloatVector part(MemorySegment w, long off, int k) {
        return (FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_64, w, off + 2 + 8 * k, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, VecMath.F, 0);
    }
}
