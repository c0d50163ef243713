package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** IEEE half-precision weights. */
final class F16Format extends WeightFormat {
    F16Format() { super("F16", 1, 1, 2); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2L * i));
    }
}
