package dev.codellm.model.gguf;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code quantize_row_q8_0_ref} on the Vector API, byte for byte the scalar reference in
 * {@link Quantize}: {@code d = amax / 127}, {@code id = 1/d}, {@code q = roundf(x·id)}. Every step
 * is the same single float operation per lane (max of |x| is exact in any order; the multiply is
 * one IEEE product). C's roundf (halves away from zero) is done exactly: truncate toward zero,
 * then the fraction {@code v - trunc(v)} (exact for |v| < 2²³) decides the step away from zero.
 * Adding 0.5 before truncating would not do: 0.49999997 + 0.5 rounds up to 1.0 in float.
 * Blocks whose scale is tiny (1/d beyond float's range: subnormal weights) or not finite go to the
 * scalar code, which writes the bytes x86's float→int8 conversion gives there.
 */
final class Q8_0Encoder {
    private Q8_0Encoder() {}

    static final int BLOCK = 32, BYTES = 34;

    /**
     * 512-bit lanes where the CPU has them (2 vectors a block), else 256-bit; on CPUs narrower
     * than 256 bits the Vector API would emulate these shapes slowly, so the scalar code runs there.
     */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = F.vectorBitSize() == 512 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    static final boolean VECTOR = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    /**
     * Below this block maximum d = amax/127 is within a few powers of two of float's subnormal
     * range and 1/d can overflow: the scalar path, as llama-quantize on x86 behaves, takes those.
     */
    private static final float TINY = 0x1p-100f;

    /** Encodes {@code x[off .. off+n)} ({@code n} a multiple of 32) into {@code out[p ..]}. */
    static void encode(float[] x, int off, int n, byte[] out, int p) {
        if (!VECTOR) {
            for (int b = off; b < off + n; b += BLOCK, p += BYTES) Quantize.q8_0Block(x, b, out, p);
            return;
        }
        int lanes = F.length();
        for (int b = off; b < off + n; b += BLOCK, p += BYTES) {
            FloatVector m = FloatVector.fromArray(F, x, b).abs();
            for (int k = lanes; k < BLOCK; k += lanes) m = m.max(FloatVector.fromArray(F, x, b + k).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            if (!(amax >= TINY) || amax == Float.POSITIVE_INFINITY) {
                Quantize.q8_0Block(x, b, out, p);
                continue;
            }
            float d = amax / 127, id = 1 / d;
            short h = Float.floatToFloat16(d);
            out[p] = (byte) h;
            out[p + 1] = (byte) (h >> 8);
            for (int k = 0; k < BLOCK; k += lanes) {
                FloatVector v = FloatVector.fromArray(F, x, b + k).mul(id);
                FloatVector t = (FloatVector) v.convert(VectorOperators.F2I, 0).convert(VectorOperators.I2F, 0);
                FloatVector frac = v.sub(t);
                VectorMask<Float> up = frac.compare(VectorOperators.GE, 0.5f), down = frac.compare(VectorOperators.LE, -0.5f);
                FloatVector r = t.add(1f, up).sub(1f, down);
                ((ByteVector) r.convertShape(VectorOperators.F2B, B, 0)).intoArray(out, p + 2 + k);
            }
        }
    }
}
