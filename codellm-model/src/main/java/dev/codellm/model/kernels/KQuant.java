package dev.codellm.model.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Helpers shared by the K-quant formats (super-blocks of 256 weights). */
final class KQuant {
    /** 8 weight bytes at a time: one 256-bit float vector per load once widened. */
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    private KQuant() {}

    /** ggml's get_scale_min_k4: the 6-bit scale (index 0) and min (index 1) of sub-block j. */
    static int scale(byte[] s, int so, int j) {
        return j < 4 ? s[so + j] & 63 : (s[so + j + 4] & 0xF) | (((s[so + j - 4] & 0xFF) >>> 6) << 4);
    }

    static int min(byte[] s, int so, int j) {
        return j < 4 ? s[so + j + 4] & 63 : ((s[so + j + 4] & 0xFF) >>> 4) | (((s[so + j] & 0xFF) >>> 6) << 4);
    }

    /** {@link #scale(byte[], int, int)} read from the 12 packed bytes at {@code so} in a segment. */
    static int scale(MemorySegment w, long so, int j) {
        return j < 4 ? u8(w, so + j) & 63 : (u8(w, so + j + 4) & 0xF) | ((u8(w, so + j - 4) >>> 6) << 4);
    }

    static int min(MemorySegment w, long so, int j) {
        return j < 4 ? u8(w, so + j + 4) & 63 : (u8(w, so + j + 4) >>> 4) | ((u8(w, so + j) >>> 6) << 4);
    }

    static int u8(MemorySegment w, long o) {
        return w.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
    }

    static float half(byte[] b, int o) {
        return Float.float16ToFloat((short) ((b[o] & 0xFF) | (b[o + 1] << 8)));
    }

    static float half(MemorySegment w, long o) {
        return Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
    }

    /** 32 bytes at {@code o} as 8 int lanes (lane i = bytes 4i..4i+3, little-endian). */
    static IntVector ints8(MemorySegment w, long o) {
        return IntVector.fromMemorySegment(IntVector.SPECIES_256, w, o, ByteOrder.LITTLE_ENDIAN);
    }

    /** Int lanes to float lanes (one vcvtdq2ps). */
    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** The plain-order dot of a format whose {@code dotPrepared} wants {@link WeightFormat#transpose32} order. */
    static float dotViaTranspose(WeightFormat f, MemorySegment w, long off, float[] x, int xo, int n) {
        float[] xp = new float[n];
        WeightFormat.transpose32(x, xo, xp, 0, n);
        return f.dotPrepared(w, off, xp, 0, n);
    }

    /** 8 bytes at {@code o}. */
    static ByteVector bytes8(MemorySegment w, long o) {
        return ByteVector.fromMemorySegment(B8, w, o, ByteOrder.LITTLE_ENDIAN);
    }

    /** 8 signed byte lanes widened to 8 float lanes (in registers: no float copy of the weights). */
    static FloatVector toFloat(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, VecMath.F, 0);
    }
}
