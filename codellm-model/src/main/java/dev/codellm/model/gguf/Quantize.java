package dev.codellm.model.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reference encoders from float to every supported {@link GgmlType}, producing ggml's block
 * layouts byte for byte. The legacy types (Q4_0 … Q8_1) follow ggml's {@code quantize_row_*_ref}
 * exactly; the K-quants use a simple one-pass choice of sub-block scales (max-abs or min/max, then
 * the 4/6-bit scales quantized against the super-block scale) instead of ggml's iterative search —
 * valid files, somewhat higher error than llama.cpp's quantizer.
 */
public final class Quantize {
    private Quantize() {}

    /** Encodes {@code src} (length a multiple of the block size) as {@code type}. */
    public static byte[] quantize(GgmlType type, float[] src) {
        return quantize(type, src, 0, src.length);
    }

    /** Encodes {@code src[off .. off+n)} as {@code type}. */
    public static byte[] quantize(GgmlType type, float[] src, int off, int n) {
        long bytes = type.rowBytes(n);
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too large to quantize in one array: " + n + " elements");
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        int bs = type.blockSize();
        for (int b = off; b < off + n; b += bs) {
            switch (type) {
                case F32 -> out.putFloat(src[b]);
                case F16 -> out.putShort(Float.floatToFloat16(src[b]));
                case BF16 -> out.putShort(toBf16(src[b]));
                case F64 -> out.putDouble(src[b]);
                case I8 -> out.put((byte) clampRound(src[b], Byte.MIN_VALUE, Byte.MAX_VALUE));
                case I16 -> out.putShort((short) clampRound(src[b], Short.MIN_VALUE, Short.MAX_VALUE));
                case I32 -> out.putInt((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, roundf(src[b]))));
                case I64 -> out.putLong(roundf(src[b]));
                case Q4_0 -> q4_0(src, b, out);
                case Q4_1 -> q4_1(src, b, out);
                case Q5_0 -> q5_0(src, b, out);
                case Q5_1 -> q5_1(src, b, out);
                case Q8_0 -> q8_0(src, b, out);
                case Q8_1 -> q8_1(src, b, out);
                case Q2_K -> q2_K(src, b, out);
                case Q3_K -> q3_K(src, b, out);
                case Q4_K -> q4_K(src, b, out);
                case Q5_K -> q5_K(src, b, out);
                case Q6_K -> q6_K(src, b, out);
                case Q8_K -> q8_K(src, b, out);
            }
        }
        return out.array();
    }

    /** BF16 by round-to-nearest-even on the dropped 16 bits (NaN stays a quiet NaN), as ggml does. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 64);
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** C's roundf: halves away from zero. */
    static long roundf(float v) {
        return (long) (v < 0 ? -Math.floor(-(double) v + 0.5) : Math.floor((double) v + 0.5));
    }

    private static long clampRound(float v, long lo, long hi) { return Math.max(lo, Math.min(hi, roundf(v))); }

    private static int clamp(long v, int lo, int hi) { return (int) Math.max(lo, Math.min(hi, v)); }

    private static float fp16Round(float f) { return Float.float16ToFloat(Float.floatToFloat16(f)); }

    /** The element of largest magnitude, keeping its sign (ggml picks the first on ties). */
    private static float signedAbsMax(float[] x, int o, int n) {
        float amax = 0, max = 0;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    // ---- legacy 32-element blocks: exactly ggml's reference quantizers ----

    private static void q4_0(float[] x, int o, ByteBuffer out) {
        float max = signedAbsMax(x, o, 32);
        float d = max / -8, id = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int a = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int b = Math.min(15, (int) (x[o + 16 + j] * id + 8.5f));
            out.put((byte) (a | (b << 4)));
        }
    }

    private static void q4_1(float[] x, int o, ByteBuffer out) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / 15, id = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int a = Math.min(15, (int) ((x[o + j] - min) * id + 0.5f));
            int b = Math.min(15, (int) ((x[o + 16 + j] - min) * id + 0.5f));
            out.put((byte) (a | (b << 4)));
        }
    }

    private static void q5_0(float[] x, int o, ByteBuffer out) {
        float max = signedAbsMax(x, o, 32);
        float d = max / -16, id = d != 0 ? 1 / d : 0;
        int qh = 0;
        byte[] qs = new byte[16];
        for (int j = 0; j < 16; j++) {
            int a = Math.min(31, (int) (x[o + j] * id + 16.5f));
            int b = Math.min(31, (int) (x[o + 16 + j] * id + 16.5f));
            qs[j] = (byte) ((a & 0xF) | ((b & 0xF) << 4));
            qh |= ((a & 0x10) >> 4) << j;
            qh |= ((b & 0x10) >> 4) << (j + 16);
        }
        out.putShort(Float.floatToFloat16(d)).putInt(qh).put(qs);
    }

    private static void q5_1(float[] x, int o, ByteBuffer out) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / 31, id = d != 0 ? 1 / d : 0;
        int qh = 0;
        byte[] qs = new byte[16];
        for (int j = 0; j < 16; j++) {
            int a = Math.min(31, (int) ((x[o + j] - min) * id + 0.5f));
            int b = Math.min(31, (int) ((x[o + 16 + j] - min) * id + 0.5f));
            qs[j] = (byte) ((a & 0xF) | ((b & 0xF) << 4));
            qh |= ((a & 0x10) >> 4) << j;
            qh |= ((b & 0x10) >> 4) << (j + 16);
        }
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(min)).putInt(qh).put(qs);
    }

    private static void q8_0(float[] x, int o, ByteBuffer out) {
        float amax = Math.abs(signedAbsMax(x, o, 32));
        float d = amax / 127, id = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) out.put((byte) roundf(x[o + j] * id));
    }

    private static void q8_1(float[] x, int o, ByteBuffer out) {
        float amax = Math.abs(signedAbsMax(x, o, 32));
        float d = amax / 127, id = d != 0 ? 1 / d : 0;
        byte[] qs = new byte[32];
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            qs[j] = (byte) roundf(x[o + j] * id);
            sum += qs[j];
        }
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(sum * d)).put(qs);
    }

    // ---- K-quants: 256-element super-blocks ----

    /** Unsigned sub-block fit {@code x ≈ scale*q - min} with q in [0, nmax] and min ≥ 0 (ggml clamps the block min to ≤ 0). */
    private static void minMaxFit(float[] x, int o, int subBlocks, int subLen, int nmax, float[] scales, float[] mins) {
        for (int s = 0; s < subBlocks; s++) {
            float lo = 0, hi = Float.NEGATIVE_INFINITY;
            for (int l = 0; l < subLen; l++) {
                lo = Math.min(lo, x[o + s * subLen + l]);
                hi = Math.max(hi, x[o + s * subLen + l]);
            }
            scales[s] = Math.max(0, hi - lo) / nmax;
            mins[s] = -lo;
        }
    }

    private static float max(float[] a) {
        float m = 0;
        for (float v : a) m = Math.max(m, v);
        return m;
    }

    /** Quantizes the per-sub-block scales to {@code levels}-step integers against their max; returns d (before fp16 rounding). */
    private static float quantizeScales(float[] scales, int levels, int[] out) {
        float m = max(scales);
        float inv = m > 0 ? levels / m : 0;
        for (int i = 0; i < scales.length; i++) out[i] = clamp(roundf(inv * scales[i]), 0, levels);
        return m / levels;
    }

    /** q in [0, nmax] for each element given the fp16-rounded d, dmin and integer scales/mins. */
    private static int[] levelsAsym(float[] x, int o, int subLen, float d, float dmin, int[] ls, int[] lm, int nmax) {
        int[] q = new int[GgmlType.QK_K];
        for (int i = 0; i < GgmlType.QK_K; i++) {
            int s = i / subLen;
            float dl = d * ls[s], dm = dmin * lm[s];
            q[i] = dl == 0 ? 0 : clamp(roundf((x[o + i] + dm) / dl), 0, nmax);
        }
        return q;
    }

    private static void q2_K(float[] x, int o, ByteBuffer out) {
        float[] scales = new float[16], mins = new float[16];
        minMaxFit(x, o, 16, 16, 3, scales, mins);
        int[] ls = new int[16], lm = new int[16];
        float d = fp16Round(quantizeScales(scales, 15, ls)), dmin = fp16Round(quantizeScales(mins, 15, lm));
        int[] q = levelsAsym(x, o, 16, d, dmin, ls, lm, 3);
        for (int s = 0; s < 16; s++) out.put((byte) (ls[s] | (lm[s] << 4)));
        byte[] qs = new byte[64];
        for (int p = 0; p < 256; p++) {
            int n = p / 128, r = p % 128;
            qs[n * 32 + r % 32] |= (byte) (q[p] << (2 * (r / 32)));
        }
        out.put(qs).putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(dmin));
    }

    private static void q3_K(float[] x, int o, ByteBuffer out) {
        // Signed sub-block scales chosen so that each sub-block's extreme value maps to -4.
        float[] scales = new float[16];
        for (int s = 0; s < 16; s++) scales[s] = signedAbsMax(x, o + 16 * s, 16) / -4;
        float maxScale = 0;
        for (float v : scales) if (Math.abs(v) > Math.abs(maxScale)) maxScale = v;
        float iscale = maxScale != 0 ? -32 / maxScale : 0;
        int[] ls = new int[16];
        for (int s = 0; s < 16; s++) ls[s] = clamp(roundf(iscale * scales[s]), -32, 31);
        float d = fp16Round(iscale != 0 ? 1 / iscale : 0);
        byte[] hmask = new byte[32], qs = new byte[64], packed = new byte[12];
        for (int p = 0; p < 256; p++) {
            float dl = d * ls[p / 16];
            int q = dl == 0 ? 0 : clamp(roundf(x[o + p] / dl), -4, 3);
            int u = q + 4;
            int n = p / 128, r = p % 128, j = r / 32, k = r % 32;
            qs[n * 32 + k] |= (byte) ((u & 3) << (2 * j));
            if ((u & 4) != 0) hmask[k] |= (byte) (1 << (n * 4 + j));
        }
        for (int s = 0; s < 16; s++) {
            int l = ls[s] + 32;
            packed[s % 8] |= (byte) ((l & 0xF) << (s < 8 ? 0 : 4));
            packed[8 + s % 4] |= (byte) ((l >> 4) << (2 * (s / 4)));
        }
        out.put(hmask).put(qs).put(packed).putShort(Float.floatToFloat16(d));
    }

    /** The 12-byte packing of eight 6-bit scales and mins used by Q4_K and Q5_K (inverse of get_scale_min_k4). */
    private static byte[] packK4(int[] ls, int[] lm) {
        byte[] b = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                b[j] = (byte) ls[j];
                b[j + 4] = (byte) lm[j];
            } else {
                b[j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                b[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                b[j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        return b;
    }

    private static void q4_K(float[] x, int o, ByteBuffer out) {
        float[] scales = new float[8], mins = new float[8];
        minMaxFit(x, o, 8, 32, 15, scales, mins);
        int[] ls = new int[8], lm = new int[8];
        float d = fp16Round(quantizeScales(scales, 63, ls)), dmin = fp16Round(quantizeScales(mins, 63, lm));
        int[] q = levelsAsym(x, o, 32, d, dmin, ls, lm, 15);
        byte[] qs = new byte[128];
        for (int p = 0; p < 256; p++) qs[(p / 64) * 32 + p % 32] |= (byte) (q[p] << (4 * ((p / 32) % 2)));
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(dmin)).put(packK4(ls, lm)).put(qs);
    }

    private static void q5_K(float[] x, int o, ByteBuffer out) {
        float[] scales = new float[8], mins = new float[8];
        minMaxFit(x, o, 8, 32, 31, scales, mins);
        int[] ls = new int[8], lm = new int[8];
        float d = fp16Round(quantizeScales(scales, 63, ls)), dmin = fp16Round(quantizeScales(mins, 63, lm));
        int[] q = levelsAsym(x, o, 32, d, dmin, ls, lm, 31);
        byte[] qh = new byte[32], ql = new byte[128];
        for (int p = 0; p < 256; p++) {
            int sub = p / 32, l = p % 32;
            ql[(p / 64) * 32 + l] |= (byte) ((q[p] & 0xF) << (4 * (sub % 2)));
            if ((q[p] & 0x10) != 0) qh[l] |= (byte) (1 << sub);
        }
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(dmin)).put(packK4(ls, lm)).put(qh).put(ql);
    }

    private static void q6_K(float[] x, int o, ByteBuffer out) {
        float[] scales = new float[16];
        for (int s = 0; s < 16; s++) scales[s] = signedAbsMax(x, o + 16 * s, 16) / -32;
        float maxScale = 0;
        for (float v : scales) if (Math.abs(v) > Math.abs(maxScale)) maxScale = v;
        float iscale = maxScale != 0 ? -128 / maxScale : 0;
        byte[] sc = new byte[16];
        for (int s = 0; s < 16; s++) sc[s] = (byte) clamp(roundf(iscale * scales[s]), -128, 127);
        float d = fp16Round(iscale != 0 ? 1 / iscale : 0);
        byte[] ql = new byte[128], qh = new byte[64];
        for (int p = 0; p < 256; p++) {
            float dl = d * sc[p / 16];
            int u = (dl == 0 ? 0 : clamp(roundf(x[o + p] / dl), -32, 31)) + 32;
            int n = p / 128, r = p % 128, k = r / 32, l = r % 32;
            ql[n * 64 + l + (k & 1) * 32] |= (byte) ((u & 0xF) << (4 * (k >> 1)));
            qh[n * 32 + l] |= (byte) (((u >> 4) & 3) << (2 * k));
        }
        out.put(ql).put(qh).put(sc).putShort(Float.floatToFloat16(d));
    }

    private static void q8_K(float[] x, int o, ByteBuffer out) {
        float max = signedAbsMax(x, o, 256);
        float iscale = max != 0 ? -127 / max : 0;
        byte[] qs = new byte[256];
        short[] bsums = new short[16];
        for (int j = 0; j < 256; j++) {
            qs[j] = (byte) clamp(roundf(iscale * x[o + j]), -127, 127);
            bsums[j / 16] += qs[j];
        }
        out.putFloat(iscale != 0 ? 1 / iscale : 0).put(qs);
        for (short s : bsums) out.putShort(s);
    }
}
