package dev.codellm.model.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reference encoders from float to every supported {@link GgmlType}, producing ggml's block
 * layouts byte for byte. The legacy types (Q4_0 … Q8_1) follow ggml's {@code quantize_row_*_ref}
 * exactly, and so do Q4_K, Q5_K and Q6_K ({@code quantize_row_q{4,5,6}_K_ref}: what llama-quantize
 * writes without an importance matrix), bit for bit. Q2_K and Q3_K use a simple one-pass choice of
 * sub-block scales instead of ggml's search: valid blocks, somewhat higher error than llama.cpp's.
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
        if (type == GgmlType.Q8_0) {  // the type llama-quantize's Q8_0 files are made of: vectorized
            if (n % 32 != 0) throw new IllegalArgumentException("Q8_0: " + n + " elements is not a multiple of 32");
            byte[] q = new byte[(int) bytes];
            Q8_0Encoder.encode(src, off, n, q, 0);
            return q;
        }
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
                case Q8_0 -> throw new AssertionError("Q8_0 is encoded above");
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

    /** C's roundf, as a float (infinities and NaN pass through). */
    static float roundfFloat(float v) {
        return (float) (v < 0 ? -Math.floor(-(double) v + 0.5) : Math.floor((double) v + 0.5));
    }

    /**
     * C's float to int8_t conversion as x86-64 compilers emit it (cvttss2si, keep the low byte):
     * NaN and values outside int32 give 0x80000000, whose low byte is 0. Only blocks of subnormal
     * weights reach that (1/d overflows); llama-quantize on x86 writes these bytes for them.
     */
    static byte cFloatToInt8(float v) {
        int i = (Float.isNaN(v) || v >= 2147483648f || v < -2147483648f) ? Integer.MIN_VALUE : (int) v;
        return (byte) i;
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
            int a = Math.min(15, cFloatToInt8(x[o + j] * id + 8.5f)) & 0xFF;
            int b = Math.min(15, cFloatToInt8(x[o + 16 + j] * id + 8.5f)) & 0xFF;
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

    /** One Q8_0 block, scalar: the reference {@link Q8_0Encoder} must equal, and its path for tiny scales. */
    static void q8_0Block(float[] x, int o, byte[] out, int p) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
        float d = amax / 127, id = d != 0 ? 1 / d : 0;
        short h = Float.floatToFloat16(d);
        out[p] = (byte) h;
        out[p + 1] = (byte) (h >> 8);
        for (int j = 0; j < 32; j++) {
            float v = x[o + j] * id;
            // roundf then the int8 store; v ± 0.5 is exact in double, and truncating it rounds half away from zero
            out[p + 2 + j] = Math.abs(v) < 2147483520f ? (byte) (long) (v + (v < 0 ? -0.5 : 0.5)) : cFloatToInt8(v);
        }
    }

    /** Q8_0 with the scalar code only: what the tests hold {@link Q8_0Encoder} to. */
    static byte[] q8_0Scalar(float[] x, int off, int n) {
        byte[] out = new byte[n / 32 * 34];
        for (int b = 0; b < n; b += 32) q8_0Block(x, off + b, out, b / 32 * 34);
        return out;
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

    /**
     * ggml's nearest_int, the same float trick (add 1.5·2^23, keep the mantissa): round half to even
     * for |v| < 2^22, and ggml's own wrapped value beyond, so even overflowing inputs give its bits.
     */
    static int nearestInt(float v) {
        int i = Float.floatToRawIntBits(v + 12582912f);
        return (i & 0x007fffff) - 0x00400000;
    }

    /**
     * ggml's make_qkx2_quants: the asymmetric fit {@code x ≈ scale*L - min} of one sub-block, trying
     * {@code nstep+1} scales around the min/max one and keeping the smallest weighted squared error.
     * Written in float with ggml's evaluation order (no fused multiply-add: ggml-base is compiled for
     * the baseline ISA), so the chosen levels are the same bits. Returns the scale; {@code theMin[0]} = -min.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, int[] L, int lo, float[] theMin, int[] laux,
                                float rmin, float rdelta, int nstep) {
        float min = x[xo], max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            if (x[xo + i] < min) min = x[xo + i];
            if (x[xo + i] > max) max = x[xo + i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[xo + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            theMin[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            L[lo + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * L[lo + i] + min - x[xo + i];
            diff = diff * diff;
            bestMad += weights[i] * diff;
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = diff * diff;
                    mad += weights[i] * diff;
                }
                if (mad < bestMad) {
                    System.arraycopy(laux, 0, L, lo, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * ggml's make_qx_quants with rmse_type 1 and no importance weights (what Q6_K uses): the
     * symmetric fit {@code x ≈ scale*(L - nmax)}, searching 18 scales around {@code -nmax/max}
     * for the best weighted (w = x²) least-squares one. Returns the scale; {@code L} gets l + nmax.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] L, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = l + nmax;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xo + i]);
                    L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** ggml's GROUP_MAX_EPS: below this a group counts as all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    /** Q4_K and Q5_K share everything but the level count and the search range (quantize_row_q{4,5}_K_ref). */
    private static void qxK(float[] x, int o, ByteBuffer out, int nmax, float rmin, int nstep) {
        int[] L = new int[256], laux = new int[32];
        float[] weights = new float[32], mins = new float[8], scales = new float[8], theMin = new float[1];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[o + 32 * j + l] * x[o + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[o + 32 * j + l]);
            scales[j] = makeQkx2Quants(32, nmax, x, o + 32 * j, weights, L, 32 * j, theMin, laux, rmin, 0.1f, nstep);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = new int[8], lm = new int[8];
        for (int j = 0; j < 8; j++) {
            // ggml stores nearest_int into a uint8_t before MIN(63, ·): the low byte
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
        }
        short d16 = Float.floatToFloat16(maxScale / 63f), dmin16 = Float.floatToFloat16(maxMin / 63f);
        float d0 = Float.float16ToFloat(d16), dmin0 = Float.float16ToFloat(dmin16);
        for (int j = 0; j < 8; j++) {
            float d = d0 * ls[j];
            if (d == 0) continue;  // keeps make_qkx2_quants' levels, as ggml does
            float dm = dmin0 * lm[j];
            for (int ii = 0; ii < 32; ii++) {
                int l = nearestInt((x[o + 32 * j + ii] + dm) / d);
                L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
            }
        }
        out.putShort(d16).putShort(dmin16).put(packK4(ls, lm));
        if (nmax == 15) {
            byte[] qs = new byte[128];
            for (int j = 0, q = 0; j < 256; j += 64, q += 32)
                for (int l = 0; l < 32; l++) qs[q + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
            out.put(qs);
        } else {
            byte[] qh = new byte[32], ql = new byte[128];
            int m1 = 1, m2 = 2;
            for (int n = 0, q = 0; n < 256; n += 64, q += 32) {
                for (int j = 0; j < 32; j++) {
                    int l1 = L[n + j];
                    if (l1 > 15) { l1 -= 16; qh[j] |= (byte) m1; }
                    int l2 = L[n + j + 32];
                    if (l2 > 15) { l2 -= 16; qh[j] |= (byte) m2; }
                    ql[q + j] = (byte) (l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            out.put(qh).put(ql);
        }
    }

    private static void q4_K(float[] x, int o, ByteBuffer out) { qxK(x, o, out, 15, -1f, 20); }

    private static void q5_K(float[] x, int o, ByteBuffer out) { qxK(x, o, out, 31, -0.5f, 15); }

    private static void q6_K(float[] x, int o, ByteBuffer out) {
        int[] L = new int[256];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQxQuants(16, 32, x, o + 16 * ib, L, 16 * ib);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            out.put(new byte[GgmlType.Q6_K.typeSize()]);  // all zero, d = +0
            return;
        }
        float iscale = -128f / maxScale;
        short d16 = Float.floatToFloat16(1 / iscale);
        byte[] sc = new byte[16];
        for (int ib = 0; ib < 16; ib++) sc[ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        float d0 = Float.float16ToFloat(d16);
        for (int j = 0; j < 16; j++) {
            float d = d0 * sc[j];
            if (d == 0) continue;  // keeps make_qx_quants' levels, as ggml does
            for (int ii = 0; ii < 16; ii++) {
                int l = nearestInt(x[o + 16 * j + ii] / d);
                L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
            }
        }
        byte[] ql = new byte[128], qh = new byte[64];
        for (int j = 0, a = 0, h = 0; j < 256; j += 128, a += 64, h += 32) {
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[a + l] = (byte) (q1 | (q3 << 4));
                ql[a + l + 32] = (byte) (q2 | (q4 << 4));
                qh[h + l] = (byte) ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
            }
        }
        out.put(ql).put(qh).put(sc).putShort(d16);
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
