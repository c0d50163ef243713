package dev.codellm.model.llama;

import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.VecMath;
import dev.codellm.model.kernels.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Causal attention of a block of queries of one head over a KV cache, flash-attention style: the
 * keys go by in tiles of {@value #KEY_TILE}, each tile decoded once (from F16 or Q8_0/Q4_0
 * blocks) and used by every query of the block, with an online softmax (running max and sum,
 * the partial output rescaled when the max grows) instead of a scores array of the whole
 * context. A prompt chunk thus reads each key and value once per block of queries instead of
 * once per query, and no query needs scratch space proportional to the context.
 * <p>The native kernel (C, one per ISA variant) does the same as the Java code here, which is
 * the fallback when no native library runs.
 */
final class FlashAttention {
    /** Keys decoded per tile (a tile of K and V of a 128-wide head is 32 KiB of floats: L1-sized). */
    static final int KEY_TILE = 32;
    /** Queries per call from the forward pass (a unit of parallel work). */
    static final int QUERY_BLOCK = 32;

    private FlashAttention() {}

    private static final class Scratch {
        float[] k = new float[0], v = new float[0], acc = new float[0], max = new float[0], sum = new float[0];
        final float[] scores = new float[KEY_TILE];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Query i (0 ≤ i &lt; nq) is at position {@code first + i} and sees keys 0 … first + i. k and v
     * start at the head's first element of position 0; rows are {@code rowBytes} apart.
     */
    static void attend(KvType type, WeightFormat format, MemorySegment k, MemorySegment v, long rowBytes, int hd, int first, int nq,
                       float[] q, int qo, int qStride, float scale, float[] out, int oo, int oStride) {
        if (NativeKernels.enabled() && NativeKernels.attendsBlocked()) {
            NativeKernels.flashAttend(type.ggml().id(), k, v, rowBytes, hd, first, nq, q, qo, qStride, scale, out, oo, oStride);
            return;
        }
        attendJava(type, format, k, v, rowBytes, hd, first, nq, q, qo, qStride, scale, out, oo, oStride);
    }

    static void attendJava(KvType type, WeightFormat format, MemorySegment k, MemorySegment v, long rowBytes, int hd, int first, int nq,
                           float[] q, int qo, int qStride, float scale, float[] out, int oo, int oStride) {
        Scratch s = SCRATCH.get();
        if (s.k.length < KEY_TILE * hd) {
            s.k = new float[KEY_TILE * hd];
            s.v = new float[KEY_TILE * hd];
        }
        // sized separately: a thread's earlier call with a wider head and fewer queries leaves acc
        // big enough but max/sum too short (found by the suite forced to CODELLM_ISA=java)
        if (s.acc.length < nq * hd) s.acc = new float[nq * hd];
        if (s.max.length < nq) {
            s.max = new float[nq];
            s.sum = new float[nq];
        }
        float[] kf = s.k, vf = s.v, acc = s.acc, max = s.max, sum = s.sum, sc = s.scores;
        Arrays.fill(acc, 0, nq * hd, 0f);
        Arrays.fill(max, 0, nq, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, nq, 0f);
        int keys = first + nq;  // the last query sees keys 0 … first + nq - 1
        for (int t0 = 0; t0 < keys; t0 += KEY_TILE) {
            int kt = Math.min(KEY_TILE, keys - t0);
            decode(type, format, k, rowBytes, t0, kt, hd, kf);
            decode(type, format, v, rowBytes, t0, kt, hd, vf);
            for (int i = Math.max(0, t0 - first); i < nq; i++) {
                int visible = Math.min(kt, first + i + 1 - t0);
                int qi = qo + i * qStride;
                float m = max[i];
                for (int j = 0; j < visible; j++) {
                    float x = VecMath.dot(q, qi, kf, j * hd, hd) * scale;
                    sc[j] = x;
                    if (x > m) m = x;
                }
                int ai = i * hd;
                if (m > max[i]) {
                    float c = (float) Math.exp(max[i] - m);  // 0 for the first tile (max was -inf)
                    sum[i] *= c;
                    for (int d = 0; d < hd; d++) acc[ai + d] *= c;
                    max[i] = m;
                }
                float l = 0;
                for (int j = 0; j < visible; j++) {
                    float p = (float) Math.exp(sc[j] - m);
                    l += p;
                    VecMath.axpy(p, vf, j * hd, acc, ai, hd);
                }
                sum[i] += l;
            }
        }
        for (int i = 0; i < nq; i++) {
            float inv = 1f / sum[i];
            for (int d = 0; d < hd; d++) out[oo + i * oStride + d] = acc[i * hd + d] * inv;
        }
    }

    /** Rows t0 … t0+kt-1 of one head (hd elements each) as floats in dst[j·hd ..]. */
    private static void decode(KvType type, WeightFormat format, MemorySegment s, long rowBytes, int t0, int kt, int hd, float[] dst) {
        for (int j = 0; j < kt; j++) {
            long off = (t0 + j) * rowBytes;
            switch (type) {
                case F32 -> MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, off, dst, j * hd, hd);
                case F16 -> {
                    for (int d = 0; d < hd; d++) dst[j * hd + d] = Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2L * d));
                }
                default -> format.dequant(s, off, dst, j * hd, hd);
            }
        }
    }
}
