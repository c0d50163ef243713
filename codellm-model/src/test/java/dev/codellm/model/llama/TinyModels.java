package dev.codellm.model.llama;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Tiny random-weight Llama GGUFs for numerics tests (dims multiples of 256 so K-quants fit). */
public final class TinyModels {
    public static final int DIM = 256, LAYERS = 2, HEADS = 4, KV_HEADS = 2, FFN = 512, VOCAB = 320;

    private TinyModels() {}

    /** A model's sizes; {@link #TINY} is the one the numerics tests use. */
    public record Shape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab) {
        int headDim() { return dim / heads; }
    }

    public static final Shape TINY = new Shape(DIM, LAYERS, HEADS, KV_HEADS, FFN, VOCAB);

    public static Path write(Path file, GgmlType type, boolean tied, float theta, long seed) {
        return write(file, type, tied, theta, seed, TINY, w -> { });
    }

    /** A random-weight model of {@code shape}; {@code meta} adds metadata (e.g. RoPE scaling keys). */
    public static Path write(Path file, GgmlType type, boolean tied, float theta, long seed, Shape shape,
                             java.util.function.Consumer<GgufWriter> meta) {
        final int DIM = shape.dim(), LAYERS = shape.layers(), HEADS = shape.heads(), KV_HEADS = shape.kvHeads(), FFN = shape.ffn(),
                VOCAB = shape.vocab();
        SplittableRandom rnd = new SplittableRandom(seed);
        int kvDim = KV_HEADS * (DIM / HEADS);
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny-" + type)
                .putUInt32("llama.context_length", 512)
                .putUInt32("llama.embedding_length", DIM)
                .putUInt32("llama.block_count", LAYERS)
                .putUInt32("llama.feed_forward_length", FFN)
                .putUInt32("llama.attention.head_count", HEADS)
                .putUInt32("llama.attention.head_count_kv", KV_HEADS)
                .putUInt32("llama.rope.dimension_count", DIM / HEADS)
                .putFloat32("llama.rope.freq_base", theta)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        meta.accept(w);
        w.addTensor("token_embd.weight", type, new long[] {DIM, VOCAB}, gaussian(rnd, DIM * VOCAB, 1.0));
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {DIM}, norm(rnd, DIM));
            w.addTensor(p + "attn_q.weight", type, new long[] {DIM, DIM}, gaussian(rnd, DIM * DIM, 1 / Math.sqrt(DIM)));
            w.addTensor(p + "attn_k.weight", type, new long[] {DIM, kvDim}, gaussian(rnd, DIM * kvDim, 1 / Math.sqrt(DIM)));
            w.addTensor(p + "attn_v.weight", type, new long[] {DIM, kvDim}, gaussian(rnd, DIM * kvDim, 1 / Math.sqrt(DIM)));
            w.addTensor(p + "attn_output.weight", type, new long[] {DIM, DIM}, gaussian(rnd, DIM * DIM, 1 / Math.sqrt(DIM)));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {DIM}, norm(rnd, DIM));
            w.addTensor(p + "ffn_gate.weight", type, new long[] {DIM, FFN}, gaussian(rnd, DIM * FFN, 1 / Math.sqrt(DIM)));
            w.addTensor(p + "ffn_down.weight", type, new long[] {FFN, DIM}, gaussian(rnd, DIM * FFN, 1 / Math.sqrt(FFN)));
            w.addTensor(p + "ffn_up.weight", type, new long[] {DIM, FFN}, gaussian(rnd, DIM * FFN, 1 / Math.sqrt(DIM)));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {DIM}, norm(rnd, DIM));
        if (!tied) w.addTensor("output.weight", type, new long[] {DIM, VOCAB}, gaussian(rnd, DIM * VOCAB, 2 / Math.sqrt(DIM)));
        w.write(file);
        return file;
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    private static float[] norm(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.2 * rnd.nextGaussian());
        return v;
    }
}
