package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Plain little-endian float32 weights. */
final class F32Format extends WeightFormat {
    F32Format() { super("F32", 0, 1, 4); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        MemorySegment.copy(w, ValueLayout.JAVA_FLOAT_UNALIGNED, off, out, oo, n);
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xo, int n) {
        var F = VecMath.F;
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            s0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i), s0);
            s1 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + 8), ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i + 8), s1);
        }
        float s = VecMath.sum(s0.add(s1));
        for (; i < n; i++) s += w.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i) * x[xo + i];
        return s;
    }
}
