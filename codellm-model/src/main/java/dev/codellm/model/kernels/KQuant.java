package dev.codellm.model.kernels;

/** Helpers shared by the K-quant formats (super-blocks of 256 weights). */
final class KQuant {
    private KQuant() {}

    /** ggml's get_scale_min_k4: the 6-bit scale (index 0) and min (index 1) of sub-block j. */
    static int scale(byte[] s, int so, int j) {
        return j < 4 ? s[so + j] & 63 : (s[so + j + 4] & 0xF) | (((s[so + j - 4] & 0xFF) >>> 6) << 4);
    }

    static int min(byte[] s, int so, int j) {
        return j < 4 ? s[so + j + 4] & 63 : ((s[so + j + 4] & 0xFF) >>> 4) | (((s[so + j] & 0xFF) >>> 6) << 4);
    }

    static float half(byte[] b, int o) {
        return Float.float16ToFloat((short) ((b[o] & 0xFF) | (b[o + 1] << 8)));
    }
}
