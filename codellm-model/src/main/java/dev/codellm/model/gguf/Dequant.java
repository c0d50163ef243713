package dev.codellm.model.gguf;

import static dev.codellm.model.gguf.GgufCursor.F32;
import static dev.codellm.model.gguf.GgufCursor.F64;
import static dev.codellm.model.gguf.GgufCursor.U16;
import static dev.codellm.model.gguf.GgufCursor.U32;
import static dev.codellm.model.gguf.GgufCursor.U64;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reference decoders from every supported {@link GgmlType} to float, written for clarity and
 * following ggml's {@code dequantize_row_*} block by block. Fast kernels live elsewhere and are
 * tested against these.
 */
public final class Dequant {
    private Dequant() {}

    /** The whole tensor as floats (it must have fewer than 2^31 elements). */
    public static float[] toFloat(GgufTensor t) {
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor " + t.name() + " has too many elements for a float[]: " + n);
        return decode(t.type(), t.data(), (int) n);
    }

    /** Row {@code i} of the tensor (ggml order: {@code shape[0]} elements). */
    public static float[] row(GgufTensor t, long i) {
        return decode(t.type(), t.row(i), Math.toIntExact(t.rowLength()));
    }

    /** The first {@code n} elements stored in {@code src}. */
    public static float[] decode(GgmlType type, MemorySegment src, int n) {
        float[] out = new float[n];
        decode(type, src, 0, out, 0, n);
        return out;
    }

    /**
     * Decodes {@code n} elements (a multiple of the type's block size) starting at byte
     * {@code srcOffset} of {@code src} into {@code dst[dstOffset ..]}.
     */
    public static void decode(GgmlType type, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        int bs = type.blockSize();
        if (n % bs != 0) throw new IllegalArgumentException(type + ": " + n + " elements is not a multiple of the block size " + bs);
        long need = type.rowBytes(n);
        if (srcOffset < 0 || srcOffset + need > src.byteSize())
            throw new IndexOutOfBoundsException(type + ": " + n + " elements need " + need + " bytes at " + srcOffset + ", segment has " + src.byteSize());
        if (dstOffset < 0 || dstOffset + n > dst.length) throw new IndexOutOfBoundsException("destination too small");
        int blocks = n / bs;
        long ts = type.typeSize();
        for (int b = 0; b < blocks; b++) {
            long at = srcOffset + b * ts;
            int y = dstOffset + b * bs;
            switch (type) {
                case F32 -> dst[y] = src.get(F32, at);
                case F16 -> dst[y] = f16(src, at);
                case BF16 -> dst[y] = Float.intBitsToFloat((src.get(U16, at) & 0xFFFF) << 16);
                case F64 -> dst[y] = (float) src.get(F64, at);
                case I8 -> dst[y] = src.get(ValueLayout.JAVA_BYTE, at);
                case I16 -> dst[y] = src.get(U16, at);
                case I32 -> dst[y] = src.get(U32, at);
                case I64 -> dst[y] = src.get(U64, at);
                case Q4_0 -> q4_0(src, at, dst, y);
                case Q4_1 -> q4_1(src, at, dst, y);
                case Q5_0 -> q5_0(src, at, dst, y);
                case Q5_1 -> q5_1(src, at, dst, y);
                case Q8_0 -> q8_0(src, at, dst, y);
                case Q8_1 -> q8_1(src, at, dst, y);
                case Q2_K -> q2_K(src, at, dst, y);
                case Q3_K -> q3_K(src, at, dst, y);
                case Q4_K -> q4_K(src, at, dst, y);
                case Q5_K -> q5_K(src, at, dst, y);
                case Q6_K -> q6_K(src, at, dst, y);
                case Q8_K -> q8_K(src, at, dst, y);
            }
        }
    }

    static float f16(MemorySegment s, long at) { return Float.float16ToFloat(s.get(U16, at)); }

    private static int u8(MemorySegment s, long at) { return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF; }

    private static int i8(MemorySegment s, long at) { return s.get(ValueLayout.JAVA_BYTE, at); }

    // block_q4_0: half d; u8 qs[16]. Low nibbles are elements 0..15, high nibbles 16..31.
    private static void q4_0(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + 2 + j);
            y[o + j] = ((q & 0xF) - 8) * d;
            y[o + j + 16] = ((q >> 4) - 8) * d;
        }
    }

    // block_q4_1: half d, m; u8 qs[16].
    private static void q4_1(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at), m = f16(s, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + 4 + j);
            y[o + j] = (q & 0xF) * d + m;
            y[o + j + 16] = (q >> 4) * d + m;
        }
    }

    // block_q5_0: half d; u32 qh (5th bits); u8 qs[16].
    private static void q5_0(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at);
        int qh = s.get(U32, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + 6 + j);
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = (((q & 0xF) | h0) - 16) * d;
            y[o + j + 16] = (((q >> 4) | h1) - 16) * d;
        }
    }

    // block_q5_1: half d, m; u32 qh; u8 qs[16].
    private static void q5_1(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at), m = f16(s, at + 2);
        int qh = s.get(U32, at + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + 8 + j);
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = ((q & 0xF) | h0) * d + m;
            y[o + j + 16] = ((q >> 4) | h1) * d + m;
        }
    }

    // block_q8_0: half d; i8 qs[32].
    private static void q8_0(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at);
        for (int j = 0; j < 32; j++) y[o + j] = i8(s, at + 2 + j) * d;
    }

    // block_q8_1: half d, s (= d * sum(qs), unused for decoding); i8 qs[32].
    private static void q8_1(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at);
        for (int j = 0; j < 32; j++) y[o + j] = i8(s, at + 4 + j) * d;
    }

    // block_q2_K: u8 scales[16] (low nibble scale, high nibble min); u8 qs[64] (2 bits); half d, dmin.
    private static void q2_K(MemorySegment s, long at, float[] y, int o) {
        long scales = at, qs = at + 16;
        float d = f16(s, at + 80), min = f16(s, at + 82);
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
            long q = qs + n / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int sc = u8(s, scales + is++);
                    float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[o++] = dl * ((u8(s, q + half * 16 + l) >> shift) & 3) - ml;
                }
            }
        }
    }

    // block_q3_K: u8 hmask[32] (3rd bit, inverted sense); u8 qs[64] (low 2 bits); u8 scales[12] (16 x 6 bits); half d.
    private static void q3_K(MemorySegment s, long at, float[] y, int o) {
        long hmask = at, qs = at + 32;
        float dAll = f16(s, at + 108);
        int[] sc = unpackQ3Scales(s, at + 96);
        int is = 0, m = 1;
        for (int n = 0; n < 256; n += 128) {
            long q = qs + n / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    float dl = dAll * (sc[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        int k = half * 16 + l;
                        int low = (u8(s, q + k) >> shift) & 3;
                        y[o++] = dl * (low - ((u8(s, hmask + k) & m) != 0 ? 0 : 4));
                    }
                }
                m <<= 1;
            }
        }
    }

    /** The 16 six-bit Q3_K scales (0..63, biased by 32): low 4 bits in bytes 0..7, high 2 bits in bytes 8..11. */
    static int[] unpackQ3Scales(MemorySegment s, long at) {
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) {
            int low = (u8(s, at + (j % 8)) >> (j < 8 ? 0 : 4)) & 0xF;
            int high = (u8(s, at + 8 + j % 4) >> (2 * (j / 4))) & 3;
            sc[j] = low | (high << 4);
        }
        return sc;
    }

    /** ggml's get_scale_min_k4: scale and min (6 bits each) of sub-block j from the 12 packed bytes. */
    static int scaleK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j) & 63 : (u8(s, q + j + 4) & 0xF) | ((u8(s, q + j - 4) >> 6) << 4);
    }

    static int minK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j + 4) & 63 : (u8(s, q + j + 4) >> 4) | ((u8(s, q + j) >> 6) << 4);
    }

    // block_q4_K: half d, dmin; u8 scales[12]; u8 qs[128]. 8 sub-blocks of 32.
    private static void q4_K(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at), min = f16(s, at + 2);
        long scales = at + 4, q = at + 16;
        for (int j = 0, is = 0; j < 256; j += 64, is += 2, q += 32) {
            float d1 = d * scaleK4(s, scales, is), m1 = min * minK4(s, scales, is);
            float d2 = d * scaleK4(s, scales, is + 1), m2 = min * minK4(s, scales, is + 1);
            for (int l = 0; l < 32; l++) y[o++] = d1 * (u8(s, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; l++) y[o++] = d2 * (u8(s, q + l) >> 4) - m2;
        }
    }

    // block_q5_K: half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128].
    private static void q5_K(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at), min = f16(s, at + 2);
        long scales = at + 4, qh = at + 16, ql = at + 48;
        int u1 = 1, u2 = 2;
        for (int j = 0, is = 0; j < 256; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            float d1 = d * scaleK4(s, scales, is), m1 = min * minK4(s, scales, is);
            float d2 = d * scaleK4(s, scales, is + 1), m2 = min * minK4(s, scales, is + 1);
            for (int l = 0; l < 32; l++) y[o++] = d1 * ((u8(s, ql + l) & 0xF) + ((u8(s, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) y[o++] = d2 * ((u8(s, ql + l) >> 4) + ((u8(s, qh + l) & u2) != 0 ? 16 : 0)) - m2;
        }
    }

    // block_q6_K: u8 ql[128] (low 4 bits); u8 qh[64] (high 2 bits); i8 scales[16]; half d.
    private static void q6_K(MemorySegment s, long at, float[] y, int o) {
        float d = f16(s, at + 208);
        long ql = at, qh = at + 128, sc = at + 192;
        for (int n = 0; n < 256; n += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(s, qh + l);
                int a = u8(s, ql + l), b = u8(s, ql + l + 32);
                int q1 = ((a & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((b & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((b >> 4) | (((h >> 6) & 3) << 4)) - 32;
                y[o + n + l] = d * i8(s, sc + is) * q1;
                y[o + n + l + 32] = d * i8(s, sc + is + 2) * q2;
                y[o + n + l + 64] = d * i8(s, sc + is + 4) * q3;
                y[o + n + l + 96] = d * i8(s, sc + is + 6) * q4;
            }
        }
    }

    // block_q8_K: f32 d; i8 qs[256]; i16 bsums[16] (sums for dot products, unused for decoding).
    private static void q8_K(MemorySegment s, long at, float[] y, int o) {
        float d = s.get(F32, at);
        for (int j = 0; j < 256; j++) y[o + j] = d * i8(s, at + 4 + j);
    }
}
