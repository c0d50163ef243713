package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** bfloat16 weights: the upper half of a float32. */
final class BF16Format extends WeightFormat {
    BF16Format() { super("BF16", 30, 1, 2); }

    @Override
    public void dequant(MemorySegment w, long off, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = Float.intBitsToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2L * i) << 16);
    }
}
