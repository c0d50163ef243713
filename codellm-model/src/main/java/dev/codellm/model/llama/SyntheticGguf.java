package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.gguf.Quantize;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a random-weight {@code llama} GGUF with a real model's exact shapes and Code Llama's
 * tokenizer metadata (Llama 2's SPM vocabulary from the shared vocab file plus the 16 infill
 * tokens), so speed and memory can be measured at true size without downloading weights.
 * Every matrix (embedding and classifier included) is stored in the requested type. To write
 * gigabytes quickly, one block of quantized random weights is generated and repeated.
 */
public final class SyntheticGguf {
    /** Code Llama's 16 tokens after Llama 2's 32000 (ids 32000..32015); 32007-32010 are the infill ones. */
    static final List<String> CODE_LLAMA_EXTRA_TOKENS = List.of(
            "▁<SU", "▁<SUF", "▁<PRE", "▁<M", "▁<MID", "▁<E", "▁<EOT", "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>",
            "▁<EOT><EOT>", "▁<EOT><EOT><EOT>", "▁<EOT><EOT><EOT><EOT>", "▁<EOT><EOT><EOT><EOT><EOT>",
            "▁<EOT><EOT><EOT><EOT><EOT><EOT>");
    static final String VOCAB_FILE = "vocab/ggml-vocab-llama-spm.gguf";

    private SyntheticGguf() {}

    /** Writes the file; {@code layers} ≤ 0 keeps the shape's own block count. Returns bytes written. */
    public static long write(Path out, ModelShape shape, GgmlType type, int layers, long seed) {
        if (!isSupported(type)) throw new CodellmException("no kernel for weight type " + type);
        int nLayers = layers > 0 ? layers : shape.layers;
        int hd = shape.dim / shape.heads, kvDim = shape.kvHeads * hd;
        if (shape.dim % type.blockSize() != 0 || shape.ffn % type.blockSize() != 0) {
            throw new CodellmException(type + " needs rows that are multiples of " + type.blockSize() + "; shape " + shape.id + " has "
                    + shape.dim + " and " + shape.ffn);
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "synthetic " + shape.id + " " + type + (nLayers != shape.layers ? " (" + nLayers + " layers)" : ""))
                .putUInt32("general.file_type", fileType(type))
                .putUInt32("llama.context_length", 16384)
                .putUInt32("llama.embedding_length", shape.dim)
                .putUInt32("llama.block_count", nLayers)
                .putUInt32("llama.feed_forward_length", shape.ffn)
                .putUInt32("llama.attention.head_count", shape.heads)
                .putUInt32("llama.attention.head_count_kv", shape.kvHeads)
                .putUInt32("llama.rope.dimension_count", hd)
                .putFloat32("llama.rope.freq_base", 1e6f)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putUInt32("llama.vocab_size", shape.vocab);
        putTokenizer(w, shape.vocab);

        Arena arena = Arena.ofConfined();
        try {
            long maxBytes = type.rowBytes(shape.dim) * Math.max(Math.max(shape.vocab, shape.ffn), shape.dim);
            maxBytes = Math.max(maxBytes, type.rowBytes(shape.ffn) * shape.dim);
            MemorySegment pool = randomPool(arena, type, maxBytes, seed);
            float[] ones = new float[shape.dim];
            Arrays.fill(ones, 1f);
            addMatrix(w, pool, "token_embd.weight", type, shape.dim, shape.vocab);
            for (int l = 0; l < nLayers; l++) {
                String p = "blk." + l + ".";
                w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones);
                addMatrix(w, pool, p + "attn_q.weight", type, shape.dim, shape.dim);
                addMatrix(w, pool, p + "attn_k.weight", type, shape.dim, kvDim);
                addMatrix(w, pool, p + "attn_v.weight", type, shape.dim, kvDim);
                addMatrix(w, pool, p + "attn_output.weight", type, shape.dim, shape.dim);
                w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones);
                addMatrix(w, pool, p + "ffn_gate.weight", type, shape.dim, shape.ffn);
                addMatrix(w, pool, p + "ffn_down.weight", type, shape.ffn, shape.dim);
                addMatrix(w, pool, p + "ffn_up.weight", type, shape.dim, shape.ffn);
            }
            w.addTensor("output_norm.weight", GgmlType.F32, new long[] {shape.dim}, ones);
            addMatrix(w, pool, "output.weight", type, shape.dim, shape.vocab);
            w.write(out);
        } finally {
            arena.close();
        }
        return out.toFile().length();
    }

    static boolean isSupported(GgmlType t) {
        return dev.codellm.model.kernels.WeightFormat.forGgmlId(t.id()) != null;
    }

    private static void addMatrix(GgufWriter w, MemorySegment pool, String name, GgmlType type, int cols, int rows) {
        w.addTensor(name, type, new long[] {cols, rows}, pool.asSlice(0, type.rowBytes(cols) * rows));
    }

    /** {@code bytes} (rounded up to whole blocks) of valid random blocks: one quantized pattern, repeated. */
    private static MemorySegment randomPool(Arena arena, GgmlType type, long bytes, long seed) {
        int patternElems = 64 * 1024;  // multiple of every block size
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] f = new float[patternElems];
        for (int i = 0; i < f.length; i++) f[i] = (float) (rnd.nextGaussian() * 0.02);
        byte[] pattern = Quantize.quantize(type, f);
        long size = (bytes + pattern.length - 1) / pattern.length * pattern.length;
        MemorySegment pool = arena.allocate(size, 64);
        for (long o = 0; o < size; o += pattern.length) MemorySegment.copy(pattern, 0, pool, ValueLayout.JAVA_BYTE, o, pattern.length);
        return pool;
    }

    /** Llama 2's vocabulary from the shared vocab GGUF, extended with Code Llama's 16 tokens when asked. */
    private static void putTokenizer(GgufWriter w, int vocab) {
        try (GgufFile v = GgufFile.open(SharedData.require(VOCAB_FILE))) {
            List<String> tokens = new ArrayList<>(Arrays.asList(v.getStringArray("tokenizer.ggml.tokens")));
            float[] scores = v.getFloatArray("tokenizer.ggml.scores");
            int[] types = v.getIntArray("tokenizer.ggml.token_type");
            int base = tokens.size();
            if (vocab != base && vocab != base + CODE_LLAMA_EXTRA_TOKENS.size()) {
                throw new CodellmException("cannot build a " + vocab + "-token vocabulary from the " + base + "-token Llama 2 vocabulary");
            }
            if (vocab > base) {
                tokens.addAll(CODE_LLAMA_EXTRA_TOKENS);
                scores = Arrays.copyOf(scores, vocab);
                types = Arrays.copyOf(types, vocab);
                Arrays.fill(types, base, vocab, 1);  // normal pieces, as in Code Llama's sentencepiece model
                w.putUInt32("tokenizer.ggml.prefix_token_id", base + 7);
                w.putUInt32("tokenizer.ggml.suffix_token_id", base + 8);
                w.putUInt32("tokenizer.ggml.middle_token_id", base + 9);
                w.putUInt32("tokenizer.ggml.eot_token_id", base + 10);
            }
            w.putString("tokenizer.ggml.model", v.getString("tokenizer.ggml.model"))
                    .putStrings("tokenizer.ggml.tokens", tokens)
                    .putFloats("tokenizer.ggml.scores", scores)
                    .putInt32s("tokenizer.ggml.token_type", types)
                    .putUInt32("tokenizer.ggml.bos_token_id", v.getInt("tokenizer.ggml.bos_token_id"))
                    .putUInt32("tokenizer.ggml.eos_token_id", v.getInt("tokenizer.ggml.eos_token_id"))
                    .putUInt32("tokenizer.ggml.unknown_token_id", v.getInt("tokenizer.ggml.unknown_token_id"))
                    .putBool("tokenizer.ggml.add_bos_token", true)
                    .putBool("tokenizer.ggml.add_eos_token", false);
        }
    }

    /** llama.cpp's general.file_type for an all-{@code type} file ("mostly X"). */
    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new CodellmException("no file type for " + t);
        };
    }
}
