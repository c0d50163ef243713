package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.gguf.Quantize;
import dev.codellm.model.tokenizer.TokenizerGguf;
import dev.codellm.model.tokenizer.Vocabulary;
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
        if (shape.dim % type.blockSize() != 0 || shape.ffn % type.blockSize() != 0) {
            throw new CodellmException(type + " needs rows that are multiples of " + type.blockSize() + "; shape " + shape.id + " has "
                    + shape.dim + " and " + shape.ffn);
        }
        LlamaConfig c = new LlamaConfig(shape.dim, nLayers, shape.heads, shape.kvHeads, shape.ffn, shape.vocab, 16384, 1e-5f, 1e6f, false);
        String name = "synthetic " + shape.id + " " + type + (nLayers != shape.layers ? " (" + nLayers + " layers)" : "");
        GgufWriter w = LlamaGguf.writeConfig(new GgufWriter(), c, name, LlamaGguf.fileType(type));
        putTokenizer(w, shape.vocab);

        Arena arena = Arena.ofConfined();
        try {
            long maxBytes = type.rowBytes(shape.dim) * Math.max(Math.max(shape.vocab, shape.ffn), shape.dim);
            maxBytes = Math.max(maxBytes, type.rowBytes(shape.ffn) * shape.dim);
            MemorySegment pool = randomPool(arena, type, maxBytes, seed);
            float[] ones = new float[shape.dim];
            Arrays.fill(ones, 1f);
            for (LlamaGguf.TensorSpec t : LlamaGguf.tensors(c)) {
                if (t.isVector()) w.addTensor(t.name(), GgmlType.F32, t.shape(), ones);
                else addMatrix(w, pool, t.name(), type, (int) t.shape()[0], (int) t.shape()[1]);
            }
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
            List<String> tokens = new ArrayList<>(Arrays.asList(v.getStringArray(TokenizerGguf.TOKENS)));
            float[] scores = v.getFloatArray(TokenizerGguf.SCORES);
            int[] types = v.getIntArray(TokenizerGguf.TOKEN_TYPE);
            int base = tokens.size();
            if (vocab != base && vocab != base + CODE_LLAMA_EXTRA_TOKENS.size()) {
                throw new CodellmException("cannot build a " + vocab + "-token vocabulary from the " + base + "-token Llama 2 vocabulary");
            }
            if (vocab > base) {
                tokens.addAll(CODE_LLAMA_EXTRA_TOKENS);
                scores = Arrays.copyOf(scores, vocab);
                types = Arrays.copyOf(types, vocab);
                Arrays.fill(types, base, vocab, 1);  // normal pieces, as in Code Llama's sentencepiece model
                // Code Llama's converted files name the infill ids under the older prefix/suffix/middle keys
                w.putUInt32(Vocabulary.SPECIAL_KEYS.get("fim_pre").get(1), base + 7);
                w.putUInt32(Vocabulary.SPECIAL_KEYS.get("fim_suf").get(1), base + 8);
                w.putUInt32(Vocabulary.SPECIAL_KEYS.get("fim_mid").get(1), base + 9);
                w.putUInt32(special("eot"), base + 10);
            }
            w.putString(TokenizerGguf.MODEL, v.getString(TokenizerGguf.MODEL))
                    .putStrings(TokenizerGguf.TOKENS, tokens)
                    .putFloats(TokenizerGguf.SCORES, scores)
                    .putInt32s(TokenizerGguf.TOKEN_TYPE, types)
                    .putUInt32(special("bos"), v.getInt(special("bos")))
                    .putUInt32(special("eos"), v.getInt(special("eos")))
                    .putUInt32(special("unk"), v.getInt(special("unk")))
                    .putBool(TokenizerGguf.ADD_BOS, true)
                    .putBool(TokenizerGguf.ADD_EOS, false);
        }
    }

    private static String special(String role) {
        return Vocabulary.SPECIAL_KEYS.get(role).get(0);
    }
}
