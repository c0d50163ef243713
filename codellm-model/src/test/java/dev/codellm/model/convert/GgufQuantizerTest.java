package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.Quantize;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GgufQuantizer} on an 8-layer F16 model: every tensor gets the type llama-quantize's rules
 * give it (written out here by hand from llama-quant.cpp for 8 layers: use_more_bits picks layers
 * 0, 3, 6 and 7), its blocks are the reference quantizer's, metadata is carried over with the new
 * file type, and the result runs in the engine with logits close to the F16 file's.
 */
class GgufQuantizerTest {
    static final TinyModels.Shape SHAPE = new TinyModels.Shape(256, 8, 4, 2, 512, 320);
    static final Set<Integer> MORE_BITS = Set.of(0, 3, 6, 7);

    @TempDir Path dir;

    Path f16Model() {
        return TinyModels.write(dir.resolve("f16.gguf"), GgmlType.F16, false, 10000f, 7, SHAPE, w -> w.putUInt32("general.file_type", 1));
    }

    static GgmlType expected(String name, QuantType t) {
        if (name.endsWith("_norm.weight")) return GgmlType.F32;
        if (name.equals("output.weight")) return t == QuantType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
        int layer = name.startsWith("blk.") ? Integer.parseInt(name.split("\\.")[1]) : -1;
        boolean bumped = (name.contains("attn_v") || name.contains("ffn_down"));
        return switch (t) {
            case Q4_K_M -> bumped && MORE_BITS.contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K;
            case Q5_K_M -> bumped && MORE_BITS.contains(layer) ? GgmlType.Q6_K : GgmlType.Q5_K;
            case Q4_K_S -> (name.contains("attn_v") && layer < 4) || (name.contains("ffn_down") && layer < 1) ? GgmlType.Q5_K : GgmlType.Q4_K;
            default -> t.base();
        };
    }

    @Test
    void everyTensorGetsLlamaQuantizesTypeAndReferenceBlocks() throws Exception {
        Path in = f16Model();
        for (QuantType t : new QuantType[] {QuantType.Q4_K_M, QuantType.Q5_K_M, QuantType.Q4_K_S, QuantType.Q6_K, QuantType.Q8_0, QuantType.Q4_0}) {
            Path out = dir.resolve(t + ".gguf");
            var log = new ByteArrayOutputStream();
            GgufQuantizer.Result r = GgufQuantizer.quantize(in, out, t, 2, false, new PrintStream(log, true));
            assertTrue(log.toString().contains("quantize"), "progress lines: " + log);
            try (GgufFile src = GgufFile.open(in); GgufFile q = GgufFile.open(out)) {
                assertEquals(t.fileType(), q.getInt("general.file_type"), t.toString());
                assertEquals(2, q.getInt("general.quantization_version"));
                assertEquals(src.getInt("llama.block_count"), q.getInt("llama.block_count"));
                assertEquals(src.tensors().size(), q.tensors().size());
                for (GgufTensor a : src.tensors()) {
                    GgufTensor b = q.tensor(a.name());
                    assertEquals(expected(a.name(), t), b.type(), t + " " + a.name());
                    assertArrayEquals(a.shape(), b.shape());
                    byte[] want = b.type() == a.type() ? a.data().toArray(ValueLayout.JAVA_BYTE)
                            : Quantize.quantize(b.type(), Dequant.toFloat(a));
                    assertArrayEquals(want, b.data().toArray(ValueLayout.JAVA_BYTE), t + " " + a.name());
                }
            }
            assertTrue(r.bytesOut() < r.bytesIn() && r.bitsPerWeight() > 4 && r.bitsPerWeight() < 9, t + ": " + r);
        }
    }

    @Test
    void quantizedFileRunsWithLogitsNearTheF16Ones() throws Exception {
        Path in = f16Model(), out = dir.resolve("q8.gguf");
        GgufQuantizer.quantize(in, out, QuantType.Q8_0, 2, false, new PrintStream(new ByteArrayOutputStream()));
        int[] prompt = {1, 5, 9, 200, 17, 33};
        float[] a = lastLogits(in, prompt), b = lastLogits(out, prompt);
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += a[i] * a[i];
        }
        assertTrue(Math.sqrt(num / den) < 0.05, "relative logit error of Q8_0: " + Math.sqrt(num / den));
    }

    static float[] lastLogits(Path gguf, int[] prompt) {
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            return m.forward(m.newSession(prompt.length, KvType.F32), prompt);
        }
    }

    @Test
    void requantizingIsRefusedUnlessAskedAndTheInputIsNeverOverwritten() throws Exception {
        Path in = f16Model(), q = dir.resolve("q4.gguf");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        GgufQuantizer.quantize(in, q, QuantType.Q4_0, 1, false, quiet);
        var e = assertThrows(CodellmException.class, () -> GgufQuantizer.quantize(q, dir.resolve("q8.gguf"), QuantType.Q8_0, 1, false, quiet));
        assertTrue(e.getMessage().contains("already Q4_0") && e.getMessage().contains("--allow-requantize"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("q8.gguf")));
        GgufQuantizer.quantize(q, dir.resolve("q8.gguf"), QuantType.Q8_0, 1, true, quiet);
        var same = assertThrows(CodellmException.class, () -> GgufQuantizer.quantize(in, in, QuantType.Q8_0, 1, false, quiet));
        assertTrue(same.getMessage().contains("is the input"), same.getMessage());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
