package dev.codellm.model.llama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.codellm.model.kernels.VecMath;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Dot and axpy between a float array and a KV-cache row (F32 or F16), indices in elements. */
final class KvMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private KvMath() {}

    static float dotF32(MemorySegment s, long base, float[] q, int qo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            acc = FloatVector.fromMemorySegment(F, s, (base + i) * 4, ByteOrder.nativeOrder()).fma(FloatVector.fromArray(F, q, qo + i), acc);
        }
        float r = VecMath.sum(acc);
        for (; i < n; i++) r += s.get(ValueLayout.JAVA_FLOAT, (base + i) * 4) * q[qo + i];
        return r;
    }

    static float dotF16(MemorySegment s, long base, float[] q, int qo, int n) {
        float r = 0;
        for (int i = 0; i < n; i++) r += Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT, (base + i) * 2)) * q[qo + i];
        return r;
    }

    static void axpyF32(float a, MemorySegment s, long base, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            FloatVector.fromMemorySegment(F, s, (base + i) * 4, ByteOrder.nativeOrder())
                    .fma(av, FloatVector.fromArray(F, out, oo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] += a * s.get(ValueLayout.JAVA_FLOAT, (base + i) * 4);
    }

    static void axpyF16(float a, MemorySegment s, long base, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] += a * Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT, (base + i) * 2));
    }
}
